package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/fault"
	"github.com/sentinel-lab/sentinel-lab/internal/timers"
)

func (l *Lab) killMaster(args ...string) failover.Report {
	l.t.Helper()
	out := l.must(append([]string{"kill-master", "-o", "json"}, args...)...).stdout
	var r failover.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		l.t.Fatalf("kill-master -o json: %v\n%s", err, out)
	}
	return r
}

func (l *Lab) revive(args ...string) failover.ReviveReport {
	l.t.Helper()
	out := l.must(append([]string{"revive", "-o", "json"}, args...)...).stdout
	var r failover.ReviveReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		l.t.Fatalf("revive -o json: %v\n%s", err, out)
	}
	return r
}

// checkFailover checks what every failover must show, whatever the mode.
func checkFailover(t *testing.T, r failover.Report, wantOld string) {
	t.Helper()
	if r.OldMaster.Service != wantOld {
		t.Errorf("old master %s, want %s (the master the sentinels named)", r.OldMaster.Service, wantOld)
	}
	if r.NewMaster.Service == "" || r.NewMaster.Service == r.OldMaster.Service || strings.HasPrefix(r.NewMaster.Service, "sentinel") {
		t.Errorf("new master %q after %q", r.NewMaster.Service, r.OldMaster.Service)
	}
	// Sentinel cannot notice a dead master before down-after-milliseconds.
	if r.FailoverMS < r.DownAfterMS || r.ConvergedMS < r.FailoverMS {
		t.Errorf("failover_ms %d, converged_ms %d with down_after_ms %d", r.FailoverMS, r.ConvergedMS, r.DownAfterMS)
	}
	if r.Leader == "" || len(r.Followers) != 2 {
		t.Errorf("leader %q, followers %v", r.Leader, r.Followers)
	}
	byType := map[string]int{}
	for _, e := range r.Events {
		byType[e.Type]++
		if e.Sentinel == "" || e.Detail == "" {
			t.Errorf("incomplete event %+v", e)
		}
	}
	for _, typ := range []string{"+sdown", "+odown", "+elected-leader", "+promoted-slave", "+switch-master"} {
		if byType[typ] == 0 {
			t.Errorf("no %s event recorded; events: %v", typ, byType)
		}
	}
	if byType["+switch-master"] < 3 {
		t.Errorf("+switch-master from %d sentinels, want all 3", byType["+switch-master"])
	}
}

// checkRevived checks that the faulted node came back as a replica of the
// current master, and the lab is healthy again.
func checkRevived(t *testing.T, l *Lab, rv failover.ReviveReport, service, master string) {
	t.Helper()
	if len(rv.Revived) != 1 || rv.Revived[0].Service != service || rv.Revived[0].Role != "replica" || rv.Revived[0].Master != master {
		t.Fatalf("revive of %s, expected back as a replica of %s: %s\nlogs:\n%s", service, master, describe(rv), l.run("logs", "--tail", "40").stdout)
	}
	switch rv.Revived[0].Resync {
	case failover.ResyncPartial, failover.ResyncFull, failover.ResyncNone:
	default:
		t.Errorf("resync %q", rv.Revived[0].Resync)
	}
	st := l.status()
	if !st.Healthy || st.Master == nil || st.Master.Service != master {
		t.Errorf("after revive: %s", describe(st))
	}
}

// Every fault mode fails the master over, on whichever node is master by
// then, and revive brings the old master back as a replica: four failovers
// in a row on one lab.
func TestKillMasterEveryModeThenRevive(t *testing.T) {
	l := newLab(t)
	l.up()
	master := "master"
	for _, mode := range []string{"kill", "stop", "pause", "disconnect"} {
		t.Run(mode, func(t *testing.T) {
			r := l.killMaster("--mode", mode)
			checkFailover(t, r, master)
			if r.Mode != fault.Mode(mode) {
				t.Errorf("mode %q, want %q", r.Mode, mode)
			}
			st := l.status()
			for _, n := range st.Nodes {
				if n.Service != r.OldMaster.Service {
					continue
				}
				want := map[string]string{"kill": "exited", "stop": "exited", "pause": "paused", "disconnect": "running"}[mode]
				if n.State != want || (mode == "disconnect" && n.Network != "cut off") {
					t.Errorf("faulted %s shows as %s/%s", n.Service, n.State, n.Network)
				}
			}
			checkRevived(t, l, l.revive(), r.OldMaster.Service, r.NewMaster.Service)
			master = r.NewMaster.Service
		})
	}
}

// A second kill-master, without reviving, fails over again on the new
// master: the lab follows the sentinels, not the service names. It runs
// Sentinel's own periods, which the sentinels list as theirs: the suite's
// test of normal timers.
func TestTwoFailoversInARow(t *testing.T) {
	l := newLab(t, "--timers", "normal")
	l.up()
	checkTimers(t, l, timers.Normal, "after up --timers normal")
	if st := l.status(); st.Timers != timers.Normal {
		t.Errorf("status says timers %q, want normal", st.Timers)
	}
	first := l.killMaster()
	checkFailover(t, first, "master")
	second := l.killMaster()
	checkFailover(t, second, first.NewMaster.Service)
	if second.Epoch <= first.Epoch {
		t.Errorf("epochs %d then %d: each failover needs a new epoch", first.Epoch, second.Epoch)
	}
	rv := l.revive()
	if len(rv.Revived) != 2 {
		t.Errorf("revived %s, want both faulted masters", describe(rv))
	}
	if st := l.status(); !st.Healthy || st.Master.Service != second.NewMaster.Service {
		t.Errorf("after reviving both: %s", describe(st))
	}
}
