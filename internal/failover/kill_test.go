package failover_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/fault"
	"github.com/sentinel-lab/sentinel-lab/internal/lab/labtest"
	"github.com/sentinel-lab/sentinel-lab/internal/load"
	"github.com/sentinel-lab/sentinel-lab/internal/probe/probetest"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

var ctx = context.Background()

const ms = time.Millisecond

// scriptFailover makes the fake sentinels fail master over to node-1: the
// seed's story, sentinel-2 first at 3.1 s, everyone at 3.2 s.
func scriptFailover(fx *labtest.Lab) {
	t := fx.Session.Lab.Topology
	old := t.InitialMaster()
	masterInst := "master redis-master " + old.Addr.Addr().String() + " 6379"
	fx.Nodes.At(1000*ms, func(s *probetest.State) {
		s.Publish("sentinel-2", "+sdown", masterInst)
		s.Publish("sentinel-2", "+odown", masterInst+" #quorum 2/2")
		s.Publish("sentinel-2", "+new-epoch", "1")
		s.Publish("sentinel-2", "+elected-leader", masterInst)
		s.Publish("sentinel-1", "+vote-for-leader", s.SentinelID("sentinel-2")+" 1")
	})
	fx.Nodes.At(3100*ms, func(s *probetest.State) { s.Names("node-1", "sentinel-2") })
	fx.Nodes.At(3150*ms, func(s *probetest.State) { s.Promote("node-1") })
	fx.Nodes.At(3200*ms, func(s *probetest.State) {
		s.Names("node-1", "sentinel-1", "sentinel-3")
		s.Follow("node-1", "node-2")
		s.Publish("sentinel-2", "+failover-end", masterInst)
	})
}

func TestKillMasterTimesEachPhaseOnTheSessionClock(t *testing.T) {
	fx := labtest.New(t, nil)
	scriptFailover(fx)
	start := fx.Clock.Now()

	r, err := failover.KillMaster(ctx, fx.Session, failover.Options{Fault: fault.Spec{Mode: fault.Kill}, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}

	if !r.FaultAt.Equal(start) || r.FaultCallMS != 0 {
		t.Errorf("fault at %v (call %d ms), want at the start, taking no fake time", r.FaultAt, r.FaultCallMS)
	}
	want := failover.Phases{FailoverMS: 3100, FirstSentinel: "sentinel-2", AgreedMS: 3200, PromotedMS: 3160, ReplicasLinkedMS: 3200, ConvergedMS: 3200}
	if r.Phases != want {
		t.Errorf("phases %+v\nwant   %+v (polled every 20 ms)", r.Phases, want)
	}
	if r.OldMaster.Service != "master" || r.NewMaster.Service != "node-1" || r.Mode != fault.Kill || r.DownAfterMS != 1000 {
		t.Errorf("report %s -> %s, mode %s, D %d", r.OldMaster.Service, r.NewMaster.Service, r.Mode, r.DownAfterMS)
	}
	if r.Leader != "sentinel-2" || r.Epoch != 1 || strings.Join(r.Followers, ",") != "sentinel-1,sentinel-3" {
		t.Errorf("leader %s epoch %d followers %v", r.Leader, r.Epoch, r.Followers)
	}
	if len(r.Events) != 6 || r.Events[0].Type != "+sdown" || r.Events[0].AtMS != 1000 {
		t.Errorf("events %+v, want the 6 published, timed from the fault", r.Events)
	}
	if len(r.Nodes) != 3 || len(r.Sentinels) != 3 || r.Sentinels[1].ID == "" {
		t.Errorf("the report must name the lab's nodes and sentinels' ids: %+v %+v", r.Nodes, r.Sentinels)
	}
	if c := fx.Container(t, "master"); c.State != engine.StateExited {
		t.Errorf("master is %s after kill, want exited", c.State)
	}
	if len(r.Resyncs) != 1 || r.Resyncs[0].Service != "node-2" || r.Resyncs[0].Resync != failover.ResyncNone {
		t.Errorf("resyncs %+v, want node-2 (its log did not change: none)", r.Resyncs)
	}
}

func TestKillMasterWithoutAFailoverSaysWhy(t *testing.T) {
	fx := labtest.New(t, nil)
	_, err := failover.KillMaster(ctx, fx.Session, failover.Options{Fault: fault.Spec{Mode: fault.Stop}, Timeout: 5 * time.Second})
	var nf *failover.NoFailoverError
	if !errors.As(err, &nf) {
		t.Fatalf("got %v, want NoFailoverError", err)
	}
	if nf.After < 5*time.Second || len(nf.Sentinels) != 3 || !strings.Contains(err.Error(), "no sentinel saw the master objectively down") {
		t.Errorf("after %v, %d sentinels: %v", nf.After, len(nf.Sentinels), err)
	}
}

func TestKillMasterRefusesWhatCannotFailOver(t *testing.T) {
	fx := labtest.New(t, nil)
	fx.Nodes.Now(func(s *probetest.State) { s.Down("sentinel-2", "sentinel-3") })
	_, err := failover.KillMaster(ctx, fx.Session, failover.Options{Fault: fault.Spec{Mode: fault.Kill}, Timeout: time.Minute})
	var refused *failover.RefusedError
	if !errors.As(err, &refused) || !strings.Contains(err.Error(), "only 1 of 3 sentinels answer") {
		t.Errorf("one sentinel of three: %v", err)
	}
	if c := fx.Container(t, "master"); c.State != engine.StateRunning {
		t.Errorf("the master was faulted (%s) although no failover could follow", c.State)
	}

	fx.Nodes.Now(func(s *probetest.State) { s.Up("sentinel-2", "sentinel-3") })
	if err := fx.Engine.Pause(ctx, fx.Container(t, "master").ID); err != nil {
		t.Fatal(err)
	}
	_, err = failover.KillMaster(ctx, fx.Session, failover.Options{Fault: fault.Spec{Mode: fault.Kill}, Timeout: time.Minute})
	if !errors.As(err, &refused) || !strings.Contains(err.Error(), "already down (container paused)") {
		t.Errorf("a paused master: %v", err)
	}
}

// fakeWorkload records what kill-master told it.
type fakeWorkload struct {
	calls     []string
	isolated  string
	newMaster topology.NodeRef
	stopped   int
}

func (w *fakeWorkload) Start(context.Context) error { w.calls = append(w.calls, "start"); return nil }
func (w *fakeWorkload) Faulted(_ context.Context, addr string) error {
	w.calls, w.isolated = append(w.calls, "faulted"), addr
	return nil
}
func (w *fakeWorkload) Stop(_ context.Context, _ time.Time, nm topology.NodeRef) (*load.Result, error) {
	w.stopped++
	if w.stopped > 1 {
		return nil, nil
	}
	w.calls, w.newMaster = append(w.calls, "stop"), nm
	return &load.Result{Attempted: 10, Acked: 9}, nil
}

// The client runs from before the fault until the lab converged, and
// learns where a partitioned old master can still be reached.
func TestKillMasterRunsTheWorkloadAroundTheFault(t *testing.T) {
	fx := labtest.New(t, nil)
	scriptFailover(fx)
	w := &fakeWorkload{}

	r, err := failover.KillMaster(ctx, fx.Session, failover.Options{Fault: fault.Spec{Mode: fault.Disconnect}, Timeout: time.Minute, Workload: w})
	if err != nil {
		t.Fatal(err)
	}

	if strings.Join(w.calls, ",") != "start,faulted,stop" || w.newMaster.Service != "node-1" {
		t.Errorf("workload calls %v, stopped with %+v", w.calls, w.newMaster)
	}
	if r.Load == nil || r.Load.Acked != 9 {
		t.Errorf("load %+v, want the workload's result", r.Load)
	}
	c := fx.Container(t, "master")
	if _, on := c.Addresses[fx.Session.Lab.NetworkName()]; on || c.State != engine.StateRunning {
		t.Errorf("disconnected master: %s on %v", c.State, c.Addresses)
	}
	if r.PendingSplitBrain() != nil {
		t.Error("a split brain without isolated writes is nothing to count")
	}
}

func TestReviveBringsTheOldMasterBackAsAReplica(t *testing.T) {
	for _, c := range []struct {
		log, want string
	}{
		{"* Trying a partial resynchronization\n* Successful partial resynchronization with master.\n", failover.ResyncPartial},
		{"* Partial resynchronization not possible (no cached master)\n* Full resync from master: def:449\n", failover.ResyncFull},
	} {
		fx := labtest.New(t, nil)
		sim := fx.SimulateSentinel(&labtest.Sentinel{})
		if _, err := failover.KillMaster(ctx, fx.Session, failover.Options{Fault: fault.Spec{Mode: fault.Kill}, Timeout: time.Minute}); err != nil {
			t.Fatal(err)
		}
		fx.Engine.SetFile(fx.Container(t, "master").ID, "/logs/redis.log", []byte("* Ready to accept connections\n"))
		fx.Engine.AppendOnStart("master", "/logs/redis.log", []byte(c.log))

		rep, err := failover.Revive(ctx, fx.Session, failover.ReviveOptions{Timeout: time.Minute})
		if err != nil {
			t.Fatal(err)
		}

		if sim.Failovers() != 1 || rep.Master.Service != "node-1" || len(rep.Revived) != 1 {
			t.Fatalf("failovers %d, report %+v", sim.Failovers(), rep)
		}
		got := rep.Revived[0]
		if got.Service != "master" || got.Fault != "stopped" || got.Role != topology.Replica || got.Master != "node-1" || got.Resync != c.want {
			t.Errorf("revived %+v, want master back as a replica of node-1 with a %s resync", got, c.want)
		}
		if got.RejoinedMS < 500 {
			t.Errorf("rejoined after %d ms, before the sentinels converted it (500 ms)", got.RejoinedMS)
		}
	}
}

func TestReviveNamesWhatItCannotRevive(t *testing.T) {
	fx := labtest.New(t, nil)
	rep, err := failover.Revive(ctx, fx.Session, failover.ReviveOptions{Timeout: time.Minute})
	if err != nil || len(rep.Revived) != 0 {
		t.Errorf("a healthy lab: %+v, %v; want nothing revived", rep, err)
	}
	_, err = failover.Revive(ctx, fx.Session, failover.ReviveOptions{Services: []string{"node-9"}, Timeout: time.Minute})
	if err == nil || !strings.Contains(err.Error(), `"node-9" is not a node of this lab`) {
		t.Errorf("unknown node: %v", err)
	}
	_, err = failover.Revive(ctx, fx.Session, failover.ReviveOptions{Services: []string{"node-1"}, Timeout: time.Minute})
	if err == nil || !strings.Contains(err.Error(), "node-1 is running and connected") {
		t.Errorf("a node that is fine: %v", err)
	}
}

// A revived node that never rejoins: revive times out saying what it
// still waits for.
func TestReviveTimesOutNamingWhatDidNotHold(t *testing.T) {
	fx := labtest.New(t, nil)
	if err := fx.Engine.Pause(ctx, fx.Container(t, "node-2").ID); err != nil {
		t.Fatal(err)
	}
	fx.Nodes.Now(func(s *probetest.State) { s.LinkDown("node-2") })
	_, err := failover.Revive(ctx, fx.Session, failover.ReviveOptions{Timeout: 3 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "did not rejoin within 3s") || !strings.Contains(err.Error(), "node-2 is syncing with the master") {
		t.Errorf("got %v", err)
	}
}

// Sentinels held back by an earlier aborted attempt (their logs say until
// when): kill-master waits until they can fail over, and says so; with
// --force it faults at once.
func TestKillMasterWaitsForHeldBackSentinels(t *testing.T) {
	for _, force := range []bool{false, true} {
		fx := labtest.New(t, nil)
		fx.SimulateSentinel(&labtest.Sentinel{})
		now := fx.Clock.Now()
		until := now.Add(12 * time.Second).Truncate(time.Second)
		for i, s := range []string{"sentinel-1", "sentinel-2", "sentinel-3"} {
			log := fmt.Sprintf("1:X %s # +vote-for-leader %s 1\n1:X %s # Next failover delay: I will not start a failover before %s\n",
				now.Add(-8*time.Second).Format("02 Jan 2006 15:04:05.000"), strings.Repeat("a", 40),
				now.Add(-time.Duration(i)*time.Second).Format("02 Jan 2006 15:04:05.000"), until.Format("Mon Jan _2 15:04:05 2006"))
			fx.Engine.SetFile(fx.Container(t, s).ID, "/logs/sentinel.log", []byte(log))
		}

		r, err := failover.KillMaster(ctx, fx.Session, failover.Options{Fault: fault.Spec{Mode: fault.Kill}, Timeout: time.Minute, Force: force})
		if err != nil {
			t.Fatal(err)
		}

		hb := r.HeldBack
		if hb == nil || !hb.Until.Equal(until) || len(hb.Held) != 3 || hb.Forced != force {
			t.Fatalf("force %v: held back %+v", force, hb)
		}
		waited := r.FaultAt.Sub(now)
		if force && (waited != 0 || hb.WaitedMS != 0) {
			t.Errorf("--force waited %v", waited)
		}
		if !force && (waited != until.Sub(now) || hb.WaitedMS != until.Sub(now).Milliseconds()) {
			t.Errorf("faulted %v after the start, waited %d ms; want it to wait until %v", waited, hb.WaitedMS, until)
		}
		if !strings.Contains(strings.Join(hb.Why, " "), "will not start another failover before") {
			t.Errorf("why %q", hb.Why)
		}
	}
}
