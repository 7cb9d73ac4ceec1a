package cli_test

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/app"
	"github.com/sentinel-lab/sentinel-lab/internal/cli"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/lab/labtest"
	"github.com/sentinel-lab/sentinel-lab/internal/scenario"
)

// fault, status and revive on fakes: status lists what only the lab's
// records know, revive undoes it.
func TestFaultStatusReviveOnFakes(t *testing.T) {
	fx := labtest.New(t, nil)
	fx.Helpers()
	f := onFakes(fx)
	f.Host = fx.Session.Host
	out, errOut, err := run(f, "--dir", fx.Dir.Root, "fault", "node-1", "--mode", "loss", "--loss", "30%")
	if err != nil {
		t.Fatalf("fault: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, "node-1: loss 30% at") || !strings.Contains(out, "sentinel-lab revive undoes it") {
		t.Errorf("fault:\n%s", out)
	}
	runOn(t, fx, "fault", "sentinel-2", "--mode", "pause")
	var st lab.Report
	if err := json.Unmarshal([]byte(runOn(t, fx, "status", "-o", "json")), &st); err != nil {
		t.Fatal(err)
	}
	if strings.Join(st.Faults, "; ") != "node-1: packet filter (loss 30%); sentinel-2: paused" {
		t.Errorf("status faults %q", st.Faults)
	}
	if text := runOn(t, fx, "status"); !strings.Contains(text, "Faults in place (sentinel-lab revive undoes them):\n  - node-1: packet filter (loss 30%)") {
		t.Errorf("status:\n%s", text)
	}
	out, errOut, err = run(f, "--dir", fx.Dir.Root, "revive")
	if err != nil {
		t.Fatalf("revive: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, "node-1 (packet filter) is back as a replica") || !strings.Contains(out, "sentinel-2 (paused) is back") {
		t.Errorf("revive:\n%s", out)
	}
	// --for undoes the fault once the time is up.
	out = runOn(t, fx, "fault", "node-2", "--mode", "pause", "--for", "2s")
	if !strings.Contains(out, "After the hold, undone: node-2: unpaused.") {
		t.Errorf("fault --for:\n%s", out)
	}
	if _, _, err := run(onFakes(fx), "--dir", fx.Dir.Root, "fault", "node-7"); err == nil || !app.IsUsage(err) || !strings.Contains(err.Error(), `no service "node-7"`) {
		t.Errorf("an unknown node: %v", err)
	}
}

// scenario run on the lab running in --dir: the verdict, exit code 0 on a
// pass and 1 on a fail, JSON with the verdict, expected and observed.
func TestScenarioRunOnTheLabInDir(t *testing.T) {
	fx := labtest.New(t, nil)
	fx.SimulateSentinel(&labtest.Sentinel{})
	out := runOn(t, fx, "scenario", "run", "master-crash", "-o", "json", "--report", filepath.Join(t.TempDir(), "r.html"))
	var res scenario.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if res.Verdict != "pass" || !strings.HasPrefix(res.Expected, "the sentinels fail over") || !strings.Contains(res.Observed, "failed over from master to node-1") ||
		res.OwnLab || len(res.Timeline) == 0 || res.Reasons[0].Text == "" {
		t.Errorf("result %+v", res)
	}
	// The lab was revived afterwards: the old master is a replica again.
	if st := runOn(t, fx, "status"); !strings.Contains(st, "is healthy") {
		t.Errorf("status after the scenario:\n%s", st)
	}

	out, _, err := run(onFakes(fx), "--dir", fx.Dir.Root, "scenario", "run", "sentinel-tilt", "--lang", "zh")
	var ve *cli.VerdictError
	if !errors.As(err, &ve) || app.IsUsage(err) || !strings.Contains(out, "场景 sentinel-tilt: 失败") {
		t.Errorf("a failing scenario: %v\n%s", err, out)
	}
}

func TestScenarioList(t *testing.T) {
	out, _, err := run(&cli.Factory{}, "scenario", "list", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var list []map[string]string
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != len(scenario.Catalogue()) {
		t.Fatalf("%v: %s", err, out)
	}
	for _, e := range list {
		if len(e) != 3 || e["name"] == "" || e["summary"] == "" || e["expect"] == "" {
			t.Errorf("entry %v", e)
		}
	}
}

// soak --scenario: a verdict per round on the lab in --dir, revived
// between rounds; a failing round fails the soak.
func TestSoakScenarioOnFakes(t *testing.T) {
	fx := labtest.New(t, nil)
	fx.SimulateSentinel(&labtest.Sentinel{})
	out, errOut, err := run(onFakes(fx), "--dir", fx.Dir.Root, "soak", "--scenario", "master-crash", "--rounds", "2")
	if err != nil {
		t.Fatalf("soak --scenario: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, "Soak of scenario master-crash: 2 of 2 rounds passed.") || !strings.Contains(errOut, "round 2/2: master-crash pass") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", out, errOut)
	}
	out, _, err = run(onFakes(fx), "--dir", fx.Dir.Root, "soak", "--scenario", "sentinel-tilt", "--rounds", "1", "-o", "json")
	var ve *cli.VerdictError
	var sum struct {
		Scenario string
		Passed   int
		Results  []scenario.Result
	}
	if !errors.As(err, &ve) || json.Unmarshal([]byte(out), &sum) != nil || sum.Passed != 0 || len(sum.Results) != 1 || sum.Results[0].Verdict != "fail" {
		t.Errorf("a failing soak: %v\n%s", err, out)
	}
}
