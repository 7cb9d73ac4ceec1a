package fault_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/fault"
	"github.com/sentinel-lab/sentinel-lab/internal/lab/labtest"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

var ctx = context.Background()

func nodes(t *testing.T, fx *labtest.Lab, services ...string) []topology.Node {
	t.Helper()
	var out []topology.Node
	for _, s := range services {
		n, ok := fx.Session.Lab.Topology.Node(s)
		if !ok {
			t.Fatalf("no node %s", s)
		}
		out = append(out, n)
	}
	return out
}

func list(t *testing.T, fx *labtest.Lab) []string {
	t.Helper()
	cs, err := fx.Session.Containers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := fault.List(fx.Session.Lab, cs, fx.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range fs {
		out = append(out, f.Service+": "+f.Text())
	}
	return out
}

// A loss fault is set by a helper sharing the node's network namespace,
// which alone has NET_ADMIN; the lab remembers it, status lists it and
// revive removes it with another helper.
func TestLossIsSetByAHelperAndUndoneByRevive(t *testing.T) {
	fx := labtest.New(t, nil)
	h := fx.Helpers()
	target := fx.Container(t, "node-1")

	applied, err := fault.Apply(ctx, fx.Session, nodes(t, fx, "node-1"), fault.Spec{Mode: fault.Loss, LossPercent: 100, From: []string{"sentinel-1"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != 1 || applied[0].Fault != "loss 100% from sentinel-1" {
		t.Errorf("applied %+v", applied)
	}
	runs := h.Runs()
	if len(runs) != 1 {
		t.Fatalf("helper runs %+v", runs)
	}
	r := runs[0]
	sentinel1 := nodes(t, fx, "sentinel-1")[0].Addr.Addr().String()
	if r.NetworkMode != "container:"+target.ID || !slices.Equal(r.CapAdd, []string{"NET_ADMIN"}) || !slices.Equal(r.CapDrop, []string{"ALL"}) ||
		r.Labels[engine.LabelHelper] != "alpha" || r.Cmd[0] != "nft" || !strings.Contains(r.Cmd[1], "ip saddr { "+sentinel1+" } drop") {
		t.Errorf("helper spec %+v", r)
	}
	if spec := fx.Engine.Spec(target.ID); len(spec.CapAdd) != 0 {
		t.Errorf("the node itself got capabilities %v", spec.CapAdd)
	}
	if got := list(t, fx); !slices.Equal(got, []string{"node-1: packet filter (loss 100% from sentinel-1)"}) {
		t.Errorf("faults %v", got)
	}
	if left, _ := fx.Engine.Containers(ctx, map[string]string{engine.LabelHelper: "alpha"}); len(left) != 0 {
		t.Errorf("helpers left behind: %v", left)
	}

	rv, err := failover.Revive(ctx, fx.Session, failover.ReviveOptions{Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if len(rv.Revived) != 1 || rv.Revived[0].Fault != "packet filter" {
		t.Errorf("revived %+v", rv.Revived)
	}
	if runs := h.Runs(); len(runs) != 2 || runs[1].Cmd[1] != "delete table inet sentinel_lab" {
		t.Errorf("undo runs %+v", runs)
	}
	if got := list(t, fx); len(got) != 0 {
		t.Errorf("faults left %v", got)
	}
	if _, err := os.Stat(fx.Dir.Path(".sentinel-lab", "faults.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the records outlive their faults: %v", err)
	}
}

// A sleep is DEBUG SLEEP run by redis-cli in the node's own container
// (the confs allow DEBUG from local connections only), the password in
// the environment; the node is silent until it wakes.
func TestSleepRunsDebugSleepInsideTheContainer(t *testing.T) {
	fx := labtest.New(t, nil)
	h := fx.Helpers()
	applied, err := fault.Apply(ctx, fx.Session, nodes(t, fx, "master"), fault.Spec{Mode: fault.Sleep, For: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	want := "master: redis-cli -h 127.0.0.1 -p 6379 DEBUG SLEEP 5.000"
	if got := h.Execs(); !slices.Equal(got, []string{want}) {
		t.Errorf("execs %v, want %q", got, want)
	}
	if fx.Nodes.Answers("master") {
		t.Error("the sleeping master answers")
	}
	if applied[0].Until.Sub(applied[0].At) != 5*time.Second {
		t.Errorf("asleep from %v until %v", applied[0].At, applied[0].Until)
	}
	if got := list(t, fx); len(got) != 1 || !strings.HasPrefix(got[0], "master: sleeping (until ") {
		t.Errorf("faults %v", got)
	}
	fx.Clock.Advance(6 * time.Second)
	if got := list(t, fx); len(got) != 0 {
		t.Errorf("a sleep that ended is still listed: %v", got)
	}
}

// A node that refuses DEBUG (a conf from before it was enabled) says so
// with the fix; nothing is recorded.
func TestSleepRefusedNamesTheFix(t *testing.T) {
	fx := labtest.New(t, nil)
	fx.Helpers()
	fx.Engine.OnExec(func(_ engine.Container, spec engine.ExecSpec) (int, error) {
		spec.Stdout.Write([]byte("ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection\n"))
		return 0, nil
	})
	_, err := fault.Apply(ctx, fx.Session, nodes(t, fx, "node-1"), fault.Spec{Mode: fault.Sleep, For: 5 * time.Second})
	var dd *fault.DebugDisabledError
	if !errors.As(err, &dd) || !strings.Contains(err.Error(), "sentinel-lab down --volumes") || !strings.Contains(err.Error(), "enable-debug-command local") {
		t.Errorf("got %v", err)
	}
	if got := list(t, fx); len(got) != 0 {
		t.Errorf("a refused sleep is listed: %v", got)
	}
}

// Without netem, a delay is refused with the reason, and nothing stays.
func TestDelayWithoutNetemIsRefused(t *testing.T) {
	fx := labtest.New(t, nil)
	h := fx.Helpers()
	_, err := fault.Apply(ctx, fx.Session, nodes(t, fx, "master"), fault.Spec{Mode: fault.Delay, Delay: 300 * time.Millisecond})
	if !fault.IsNetemMissing(err) || !strings.Contains(err.Error(), "CONFIG_NET_SCH_NETEM") {
		t.Errorf("got %v", err)
	}
	runs := h.Runs()
	if len(runs) != 2 || runs[0].Cmd[0] != "ip" || strings.Join(runs[1].Cmd, " ") != "tc qdisc replace dev eth0 root netem delay 300ms" {
		t.Errorf("helper runs %+v", runs)
	}
	if got := list(t, fx); len(got) != 0 {
		t.Errorf("a refused delay is listed: %v", got)
	}
}

// Sentinels are armed with SIMULATE-FAILURE and disarmed by revive.
func TestArmAndDisarmASentinel(t *testing.T) {
	fx := labtest.New(t, nil)
	h := fx.Helpers()
	if _, err := fault.Apply(ctx, fx.Session, nodes(t, fx, "sentinel-2"), fault.Spec{Mode: fault.CrashAfterElection}); err != nil {
		t.Fatal(err)
	}
	if got := list(t, fx); !slices.Equal(got, []string{"sentinel-2: armed (crash-after-election)"}) {
		t.Errorf("faults %v", got)
	}
	if _, err := failover.Revive(ctx, fx.Session, failover.ReviveOptions{Timeout: time.Minute}); err != nil {
		t.Fatal(err)
	}
	want := []string{"sentinel-2: SENTINEL SIMULATE-FAILURE crash-after-election", "sentinel-2: SENTINEL SIMULATE-FAILURE help"}
	if got := h.Dos(); !slices.Equal(got, want) {
		t.Errorf("commands %v, want %v", got, want)
	}
	if got := list(t, fx); len(got) != 0 {
		t.Errorf("faults left %v", got)
	}
}

// A record of a container since stopped or recreated is no fault any
// more: the rules went with its network namespace.
func TestRecordsOfStoppedContainersAreStale(t *testing.T) {
	fx := labtest.New(t, nil)
	fx.Helpers()
	if _, err := fault.Apply(ctx, fx.Session, nodes(t, fx, "node-2"), fault.Spec{Mode: fault.Loss, LossPercent: 30}); err != nil {
		t.Fatal(err)
	}
	if _, err := fault.Apply(ctx, fx.Session, nodes(t, fx, "node-2"), fault.Spec{Mode: fault.Kill}); err != nil {
		t.Fatal(err)
	}
	if got := list(t, fx); !slices.Equal(got, []string{"node-2: stopped"}) {
		t.Errorf("faults %v", got)
	}
	if _, err := fault.Apply(ctx, fx.Session, nodes(t, fx, "node-2"), fault.Spec{Mode: fault.Pause}); err == nil || !strings.Contains(err.Error(), "node-2 is already down (container exited); bring it back with `sentinel-lab revive node-2` first") {
		t.Errorf("faulting a stopped node: %v", err)
	}
}

// fault --for undoes what it did once the time is up: Lift.
func TestLiftUndoesTheNamedNodesOnly(t *testing.T) {
	fx := labtest.New(t, nil)
	if _, err := fault.Apply(ctx, fx.Session, nodes(t, fx, "node-1", "sentinel-3"), fault.Spec{Mode: fault.Pause}); err != nil {
		t.Fatal(err)
	}
	done, err := fault.Lift(ctx, fx.Session, []string{"sentinel-3"})
	if err != nil || len(done) != 1 || done[0].Kind != fault.Paused {
		t.Fatalf("lifted %v, %v", done, err)
	}
	if got := list(t, fx); !slices.Equal(got, []string{"node-1: paused"}) {
		t.Errorf("faults %v", got)
	}
}
