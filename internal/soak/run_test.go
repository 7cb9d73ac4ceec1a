package soak_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/fault"
	"github.com/sentinel-lab/sentinel-lab/internal/lab/labtest"
	"github.com/sentinel-lab/sentinel-lab/internal/probe/probetest"
	"github.com/sentinel-lab/sentinel-lab/internal/soak"
)

var ctx = context.Background()

// Rounds of kill-master and revive on a lab whose fake sentinels fail over
// cleanly: every round converges with one new epoch, the master moves on.
func TestRoundsThatConvergeCleanly(t *testing.T) {
	fx := labtest.New(t, nil)
	sim := fx.SimulateSentinel(&labtest.Sentinel{})
	var seen []soak.Round

	sum, err := soak.Run(ctx, fx.Session, soak.Options{
		Rounds: 3, Fault: fault.Spec{Mode: fault.Kill}, Timeout: time.Minute,
		OnRound: func(r soak.Round) { seen = append(seen, r) },
	})
	if err != nil {
		t.Fatal(err)
	}

	if sum.Converged != 3 || len(seen) != 3 || sim.Failovers() != 3 {
		t.Fatalf("converged %d of %d (%d reported, %d failovers): %+v", sum.Converged, sum.Rounds, len(seen), sim.Failovers(), sum.Results)
	}
	want := []struct{ old, new string }{{"master", "node-1"}, {"node-1", "master"}, {"master", "node-1"}}
	for i, r := range sum.Results {
		if r.OldMaster != want[i].old || r.NewMaster != want[i].new || r.EpochAfter != r.EpochBefore+1 || r.EpochBefore != int64(i) {
			t.Errorf("round %d: %s -> %s, epoch %d -> %d", r.N, r.OldMaster, r.NewMaster, r.EpochBefore, r.EpochAfter)
		}
	}
	// The fake sentinels name the new master D + 200 ms after the fault
	// (agreed 50 ms later); polls are 20 ms apart.
	if sum.FailoverMS.P50 != 1200 || sum.FailoverMS.Max != 1200 || sum.DownAfterMS != 1000 {
		t.Errorf("failover_ms %+v at D %d, want 1200 every round", sum.FailoverMS, sum.DownAfterMS)
	}
}

// A round that saw two epochs (an election retried) failed, and says why.
func TestARoundWithTwoEpochsFails(t *testing.T) {
	fx := labtest.New(t, nil)
	fx.SimulateSentinel(&labtest.Sentinel{ExtraEpochs: 1})

	sum, err := soak.Run(ctx, fx.Session, soak.Options{Rounds: 1, Fault: fault.Spec{Mode: fault.Kill}, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}

	r := sum.Results[0]
	problems := strings.Join(r.Problems, "\n")
	if r.OK || sum.Converged != 0 || !strings.Contains(problems, "2 new epochs in one failover (1, 2)") ||
		!strings.Contains(problems, "epoch went from 0 to 2") {
		t.Errorf("round %+v, want it failed for its two epochs", r)
	}
	if r.NewMaster != "node-1" || sum.FailoverMS.Max == 0 {
		t.Errorf("the failover still happened and counts: %+v", sum.FailoverMS)
	}
}

// A round whose kill-master cannot fault (no majority of sentinels)
// fails, names why, and the next rounds still run.
func TestARoundThatCannotStart(t *testing.T) {
	fx := labtest.New(t, nil)
	fx.Nodes.Now(func(s *probetest.State) { s.Down("sentinel-2", "sentinel-3") })
	sum, err := soak.Run(ctx, fx.Session, soak.Options{Rounds: 2, Fault: fault.Spec{Mode: fault.Kill}, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range sum.Results {
		p := strings.Join(r.Problems, "\n")
		if r.OK || !strings.Contains(p, "kill-master: only 1 of 3 sentinels answer") || !strings.Contains(p, "CKQUORUM before the failover: NOQUORUM") {
			t.Errorf("round %d: %q", r.N, r.Problems)
		}
	}
	if len(sum.Results) != 2 {
		t.Errorf("%d rounds ran, want 2", len(sum.Results))
	}
}
