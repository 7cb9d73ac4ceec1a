package scenario_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/lab/labtest"
	"github.com/sentinel-lab/sentinel-lab/internal/scenario"
)

var ctx = context.Background()

func runOn(t *testing.T, fx *labtest.Lab, name string) *scenario.Result {
	t.Helper()
	sc, err := scenario.Find(name)
	if err != nil {
		t.Fatal(err)
	}
	timers, err := scenario.CheckLab(sc, fx.Session.Lab)
	if err != nil {
		t.Fatal(err)
	}
	obs, err := scenario.Run(ctx, fx.Session, sc, timers)
	if err != nil {
		t.Fatal(err)
	}
	return scenario.Judge(sc, obs, fx.Session.Lab)
}

func keys(r *scenario.Result) (ok, failed []string) {
	for _, f := range r.Reasons {
		if f.OK {
			ok = append(ok, f.Key)
		} else {
			failed = append(failed, f.Key)
		}
	}
	return ok, failed
}

func TestMasterCrashPassesOnASentinelThatFailsOver(t *testing.T) {
	fx := labtest.New(t, nil)
	fx.SimulateSentinel(&labtest.Sentinel{})
	r := runOn(t, fx, "master-crash")
	if _, failed := keys(r); r.Verdict != scenario.Pass || len(failed) > 0 {
		t.Fatalf("verdict %s, failed %v: %+v", r.Verdict, failed, r.Reasons)
	}
	if r.Report == nil || r.Report.NewMaster.Service != "node-1" {
		t.Errorf("report %+v", r.Report)
	}
	if len(r.Timeline) == 0 || r.Timeline[0].Source != scenario.SourceLab || r.Timeline[0].What != "kill" || r.Timeline[0].AtMS != 0 {
		t.Errorf("the timeline starts with %+v, want the kill at 0", r.Timeline[0])
	}
}

// A fault that does not take effect fails the scenario and says so, even
// though nothing else went wrong.
func TestAFaultThatFailsFailsTheScenario(t *testing.T) {
	fx := labtest.New(t, nil)
	fx.SimulateSentinel(&labtest.Sentinel{})
	fx.Engine.FailOn("Kill", errors.New("permission denied"))
	r := runOn(t, fx, "master-crash")
	if r.Verdict != scenario.Fail || r.Reasons[0].Key != "stepsDone" || r.Reasons[0].OK ||
		!strings.Contains(strings.Join(r.Reasons[0].Args, " "), "permission denied") {
		t.Errorf("verdict %s, reasons %+v", r.Verdict, r.Reasons)
	}
}

// The replica the leader selects is killed the moment it is selected; the
// failover moves on to the other replica in a later epoch.
func TestReplicaDownDuringFailoverReactsToTheSelection(t *testing.T) {
	fx := labtest.New(t, nil)
	fx.SimulateSentinel(&labtest.Sentinel{})
	r := runOn(t, fx, "replica-down-during-failover")
	if _, failed := keys(r); r.Verdict != scenario.Pass {
		t.Fatalf("failed %v: %+v", failed, r.Reasons)
	}
	var reaction *scenario.Entry
	for i, e := range r.Timeline {
		if e.Source == scenario.SourceLab && strings.Contains(e.Detail, "on +selected-slave") {
			reaction = &r.Timeline[i]
		}
	}
	if reaction == nil || !strings.HasPrefix(reaction.Detail, "node-1") || r.Report.NewMaster.Service != "node-2" {
		t.Errorf("reaction %+v, new master %s", reaction, r.Report.NewMaster.Service)
	}
}

func TestAllReplicasDownExpectsNoFailover(t *testing.T) {
	fx := labtest.New(t, nil)
	fx.SimulateSentinel(&labtest.Sentinel{})
	r := runOn(t, fx, "all-replicas-down")
	if _, failed := keys(r); r.Verdict != scenario.Pass {
		t.Fatalf("failed %v: %+v", failed, r.Reasons)
	}
	if r.Report == nil || r.Report.NewMaster.Service != "" || len(r.Report.Events) == 0 {
		t.Errorf("the no-failover report %+v", r.Report)
	}
	if r.Timeline[0].AtMS > 0 || r.Timeline[0].What != "kill" || r.Timeline[0].Detail != "node-1, node-2" || r.Timeline[1].Detail != "master" {
		t.Errorf("the steps %+v, want the replicas killed before the master", r.Timeline[:2])
	}
}

// On fakes no sentinel enters TILT: the scenario fails, naming the
// sentinel that did not.
func TestTiltThatDoesNotHappenFails(t *testing.T) {
	fx := labtest.New(t, nil)
	r := runOn(t, fx, "sentinel-tilt")
	ok, failed := keys(r)
	if r.Verdict != scenario.Fail || strings.Join(failed, ",") != "tilted" || strings.Join(ok, ",") != "stepsDone,noFailover" {
		t.Errorf("verdict %s, ok %v, failed %v", r.Verdict, ok, failed)
	}
	// The pause was undone once its 3 s were up.
	var undo bool
	for _, e := range r.Timeline {
		undo = undo || (e.What == "undo" && e.Detail == "sentinel-1" && e.AtMS >= 3000)
	}
	if !undo {
		t.Errorf("no undo of the pause after 3 s: %+v", r.Timeline)
	}
}

func TestFindAndCheckLab(t *testing.T) {
	if _, err := scenario.Find("nope"); err == nil || !strings.Contains(err.Error(), "scenario list") || !strings.Contains(err.Error(), "master-crash") {
		t.Errorf("unknown scenario: %v", err)
	}
	fx := labtest.New(t, map[string]string{"sentinels": "5"})
	sc, _ := scenario.Find("master-crash")
	if _, err := scenario.CheckLab(sc, fx.Session.Lab); err == nil || !strings.Contains(err.Error(), "3 sentinels") {
		t.Errorf("a lab of 5 sentinels: %v", err)
	}
	fx = labtest.New(t, nil)
	sc, _ = scenario.Find("old-master-partitioned")
	if _, err := scenario.CheckLab(sc, fx.Session.Lab); err == nil || !strings.Contains(err.Error(), "needs min-replicas-") {
		t.Errorf("a lab without min-replicas-to-write: %v", err)
	}
}
