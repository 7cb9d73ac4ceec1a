package load_test

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/load"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/probe/probetest"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
	"github.com/sentinel-lab/sentinel-lab/internal/wait"
)

var ctx = context.Background()

func fakeNodes(t *testing.T) (*probetest.Fake, *topology.Lab) {
	t.Helper()
	cfg, err := config.Load(config.Layers{Dir: "/labs/load", UID: 1000, GID: 1000})
	if err != nil {
		t.Fatal(err)
	}
	lab := topology.New(cfg, netip.MustParsePrefix("172.28.7.0/24"))
	// The writers pace themselves on the wall clock here: they run in
	// their own goroutines, which a fake clock would not serve alike.
	return probetest.New(lab, wait.RealClock{}), lab
}

// waitFor polls cond for a few seconds of wall time.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("never: %s", what)
}

// Writes the old master acknowledged but never replicated are gone on the
// new master: the writer counts exactly those as lost.
func TestWriterCountsLostAcknowledgedWrites(t *testing.T) {
	nodes, lab := fakeNodes(t)
	nodes.Now(func(s *probetest.State) { s.LinkDown("node-1", "node-2") })
	w := load.NewWriter(nodes, wait.RealClock{}, load.Options{Rate: 1000, Margin: 10 * time.Millisecond})
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	fault := time.Now()
	var onOld int
	nodes.Now(func(s *probetest.State) {
		s.Down("master")
		for _, n := range lab.Sentinels() {
			s.Names("node-1", n.Service)
		}
		s.Promote("node-1")
	})
	if err := w.Faulted(ctx, ""); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a write acknowledged by node-1", func() bool { return len(nodes.Calls()) > 0 && nodeHasKeys(nodes, lab, "node-1") })
	nodes.Now(func(s *probetest.State) {
		for _, n := range lab.DataNodes() {
			if n.Service == "master" {
				onOld = countKeys(s, n, 100000)
			}
		}
	})
	nm, _ := lab.Node("node-1")
	res, err := w.Stop(ctx, fault, nm.Ref())
	if err != nil {
		t.Fatal(err)
	}

	if onOld == 0 || res.LostAcked != onOld {
		t.Errorf("lost %d acknowledged writes, want the %d only the old master had", res.LostAcked, onOld)
	}
	if !res.Recovered || res.Acked <= onOld || res.Attempted != res.Acked+res.Failed {
		t.Errorf("result %+v", res)
	}
	if res.Failures["refused"] == 0 && res.Failures["READONLY"] == 0 && res.Failed > 0 {
		t.Errorf("failures %v, want them named", res.Failures)
	}
	if again, err := w.Stop(ctx, fault, nm.Ref()); again != nil || err != nil {
		t.Errorf("a second Stop: %v, %v; want nothing", again, err)
	}
}

func nodeHasKeys(nodes *probetest.Fake, lab *topology.Lab, service string) bool {
	has := false
	nodes.Now(func(s *probetest.State) {
		n, _ := lab.Node(service)
		has = countKeys(s, n, 1) > 0
	})
	return has
}

// countKeys counts the load writer's keys on n, up to max.
func countKeys(s *probetest.State, n topology.Node, max int) int {
	c := 0
	for _, k := range s.Keys(n.Service) {
		if strings.HasPrefix(k, "sentinel-lab:load:") {
			c++
		}
		if c >= max {
			break
		}
	}
	return c
}

// With WAIT, a write no replica confirms is not acknowledged.
func TestWriterWaitsForReplicas(t *testing.T) {
	nodes, lab := fakeNodes(t)
	w := load.NewWriter(nodes, wait.RealClock{}, load.Options{Rate: 1000, WaitReplicas: 2, Margin: time.Millisecond})
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	fault := time.Now()
	nodes.Now(func(s *probetest.State) { s.LinkDown("node-2") })
	time.Sleep(30 * time.Millisecond)
	res, err := w.Stop(ctx, fault, lab.InitialMaster().Ref())
	if err != nil {
		t.Fatal(err)
	}
	if res.WaitReplicas != 2 || res.Failures["not replicated"] == 0 || res.Recovered || res.LostAcked != 0 {
		t.Errorf("result %+v, want writes after the link went down failed as not replicated", res)
	}
}

// A client on the partitioned old master's side keeps writing there; once
// it rejoins, what it acknowledged is counted as dropped.
func TestSplitBrainWritesAreCountedAsDropped(t *testing.T) {
	nodes, lab := fakeNodes(t)
	w := load.NewWriter(nodes, wait.RealClock{}, load.Options{Rate: 1000, Margin: time.Millisecond})
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	fault := time.Now()
	old := lab.InitialMaster()
	nodes.Now(func(s *probetest.State) {
		s.LinkDown("node-1", "node-2")
		for _, n := range lab.Sentinels() {
			s.Names("node-1", n.Service)
		}
		s.Promote("node-1")
		s.Follow("node-1", "node-2")
	})
	if err := w.Faulted(ctx, old.Addr.String()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(30 * time.Millisecond)
	nm, _ := lab.Node("node-1")
	res, err := w.Stop(ctx, fault, nm.Ref())
	if err != nil {
		t.Fatal(err)
	}
	if res.Isolated == nil || res.Isolated.Acked == 0 || res.Isolated.Attempted < res.Isolated.Acked {
		t.Fatalf("isolated %+v, want the old master acknowledging", res.Isolated)
	}
	d, err := load.CountDropped(ctx, nodes, nm.Addr.String(), "master", res.Isolated)
	if err != nil {
		t.Fatal(err)
	}
	if d.Acked != res.Isolated.Acked || d.Lost != d.Acked || d.OldMaster != "master" {
		t.Errorf("dropped %+v, want all %d isolated writes lost", d, res.Isolated.Acked)
	}
}

func TestWriterThatCannotStart(t *testing.T) {
	nodes, _ := fakeNodes(t)
	nodes.Now(func(s *probetest.State) { s.Down("master") })
	c, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	w := load.NewWriter(nodes, wait.RealClock{}, load.Options{})
	if err := w.Start(c); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want the context's end", err)
	}
}

func TestMissingNamesTheNode(t *testing.T) {
	nodes, lab := fakeNodes(t)
	nodes.Now(func(s *probetest.State) { s.Down("node-1") })
	n, _ := lab.Node("node-1")
	if _, err := load.Missing(ctx, nodes, n.Addr.String(), "p", []int64{1, 2}); err == nil || !strings.Contains(err.Error(), "checking the acknowledged writes") {
		t.Errorf("got %v", err)
	}
	var _ probe.Nodes = nodes
}
