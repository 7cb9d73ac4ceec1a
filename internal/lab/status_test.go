package lab

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/probe/probetest"
	"github.com/sentinel-lab/sentinel-lab/internal/server"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

func TestStatusOfAHealthyLab(t *testing.T) {
	env := newTestEnv(healthy)
	dir := mkdir(t, newDir(t))
	l := env.up(t, dir, nil).Lab

	r, err := env.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}

	if !r.Healthy || r.Lab != "alpha" || r.MasterName != "redis-master" || len(r.Problems) != 0 {
		t.Errorf("report %+v, want lab alpha healthy with no problems", r)
	}
	if r.Master == nil || r.Master.Service != "master" || r.Master.Address != l.Topology.InitialMaster().Addr.String() {
		t.Errorf("master %+v, want master at %s", r.Master, l.Topology.InitialMaster().Addr)
	}
	if len(r.Nodes) != 3 || len(r.Sentinels) != 3 {
		t.Fatalf("%d nodes and %d sentinels, want 3 and 3", len(r.Nodes), len(r.Sentinels))
	}
	for _, n := range r.Nodes {
		if n.State != engine.StateRunning || n.Network != "connected" {
			t.Errorf("%s: %s, %s; want running, connected", n.Service, n.State, n.Network)
		}
		if n.Service != "master" && (n.Role != topology.Replica || n.MasterService != "master" || n.Lag == nil) {
			t.Errorf("%s: role %s of %q, lag %v; want a replica of master with its lag", n.Service, n.Role, n.MasterService, n.Lag)
		}
	}
	for _, s := range r.Sentinels {
		if s.MasterService != "master" || !s.QuorumOK || s.Replicas != 2 || s.Sentinels != 2 || s.Error != "" {
			t.Errorf("sentinel %+v, want it to see master, 2 replicas, 2 sentinels, quorum OK", s)
		}
	}
	env.Close()
	if !env.allClosed() {
		t.Error("closing the session left connections to the nodes open")
	}
}

// Status shows each way a node can be away: stopped, removed, paused, cut
// off from the lab network, not answering.
func TestStatusShowsNodesThatAreAway(t *testing.T) {
	env := newTestEnv(healthy)
	dir := mkdir(t, newDir(t))
	l := env.up(t, dir, nil).Lab
	env.eng.SetState(env.find(t, "master").ID, engine.StateExited)
	if err := env.eng.Remove(ctx, env.find(t, "sentinel-3").ID); err != nil {
		t.Fatal(err)
	}
	env.eng.SetState(env.find(t, "sentinel-2").ID, engine.StatePaused)
	if err := env.eng.Disconnect(ctx, env.find(t, "node-2").ID, l.NetworkName()); err != nil {
		t.Fatal(err)
	}
	env.nodes().Now(func(s *probetest.State) {
		s.Info("master", func(ni *probe.NodeInfo) {
			*ni = probe.NodeInfo{Service: "master", Address: ni.Address, Error: "dial tcp: connection refused"}
		})
		s.View("sentinel-3", func(v *probe.SentinelView) {
			*v = probe.SentinelView{Service: "sentinel-3", Address: v.Address, Error: "i/o timeout"}
		})
	})

	r, err := env.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}

	want := map[string]struct {
		state, network string
		role           topology.Role
	}{
		"master":     {engine.StateExited, "", "down"},
		"node-1":     {engine.StateRunning, "connected", "replica"},
		"node-2":     {engine.StateRunning, "cut off", "replica"},
		"sentinel-2": {engine.StatePaused, "connected", ""},
		"sentinel-3": {engine.StateMissing, "", ""},
	}
	for _, n := range r.Nodes {
		if w, ok := want[n.Service]; ok && (n.State != w.state || n.Network != w.network || n.Role != w.role) {
			t.Errorf("%s: %s/%q/%s, want %s/%q/%s", n.Service, n.State, n.Network, n.Role, w.state, w.network, w.role)
		}
	}
	for _, s := range r.Sentinels {
		if w, ok := want[s.Service]; ok && (s.State != w.state || s.Network != w.network) {
			t.Errorf("%s: %s/%q, want %s/%q", s.Service, s.State, s.Network, w.state, w.network)
		}
	}
	if r.Nodes[0].Error != "dial tcp: connection refused" || r.Sentinels[2].Error != "i/o timeout" {
		t.Errorf("errors %q and %q, want what the probe saw", r.Nodes[0].Error, r.Sentinels[2].Error)
	}
	if r.Healthy || !strings.Contains(strings.Join(r.Problems, "\n"), "master master does not answer") {
		t.Errorf("healthy %v, problems %q; want the unanswering master named", r.Healthy, r.Problems)
	}
}

func TestStatusNeedsTheEngine(t *testing.T) {
	env := newTestEnv(healthy)
	dir := mkdir(t, newDir(t))
	env.up(t, dir, nil)
	down := errors.New("daemon gone")
	env.eng.FailOn("Ping", down)
	if _, err := env.Status(ctx); !errors.Is(err, down) {
		t.Errorf("got %v, want the engine's error", err)
	}
}

// BuildReport after a failover: node-1 is master, the old master is its
// replica with the lag node-1 reports, and problems are a list, never null.
func TestBuildReportAfterAFailover(t *testing.T) {
	dir := mkdir(t, newDir(t))
	l, err := Resolve(dir, loadConfig(t, dir, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	node1, _ := l.Topology.Node("node-1")
	snap := snapshotWithMaster(l.Topology, node1)
	snap.Nodes[1].Replicas[0].Lag = 3 // the old master, as node-1 lists it

	r := BuildReport(l, map[string]engine.Container{}, snap)

	if !r.Healthy || r.Master == nil || r.Master.Service != "node-1" {
		t.Fatalf("report %+v, want healthy with node-1 as master", r)
	}
	old := r.Nodes[0]
	if old.Service != "master" || old.Role != topology.Replica || old.MasterService != "node-1" || old.Lag == nil || *old.Lag != 3 {
		t.Errorf("old master %+v, want a replica of node-1 with lag 3", old)
	}
	if r.Nodes[1].Lag != nil {
		t.Errorf("the master has a lag %d; only replicas have one", *r.Nodes[1].Lag)
	}
	if old.State != engine.StateMissing {
		t.Errorf("state %q with no container, want missing", old.State)
	}
	b, _ := json.Marshal(r)
	if !strings.Contains(string(b), `"problems":[]`) {
		t.Errorf("JSON %s, want problems as an empty list", b)
	}
}

// The report names the server the nodes run, as their INFO says, and the
// image; nodes that run another server are named with it.
func TestBuildReportNamesTheServer(t *testing.T) {
	dir := mkdir(t, newDir(t))
	l, err := Resolve(dir, loadConfig(t, dir, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	l.Image = "sentinel-lab/redis:6.2.16-local"
	snap := snapshotWithMaster(l.Topology, l.Topology.InitialMaster())
	r62 := server.Server{Kind: server.Redis, Version: server.Version{Major: 6, Minor: 2, Patch: 16}}
	for i := range snap.Nodes {
		snap.Nodes[i].Server = r62
	}

	r := BuildReport(l, map[string]engine.Container{}, snap)
	if r.Server != "Redis 6.2.16" || r.Image != "sentinel-lab/redis:6.2.16-local" || r.Nodes[1].Server != "Redis 6.2.16" {
		t.Errorf("server %q, image %q, node-1 %q", r.Server, r.Image, r.Nodes[1].Server)
	}

	snap.Nodes[2].Server = server.Server{Kind: server.Valkey, Version: server.Version{Major: 8, Minor: 0, Patch: 1}}
	snap.Nodes[1].Server = server.Server{} // does not answer
	r = BuildReport(l, map[string]engine.Container{}, snap)
	if want := "Redis 6.2.16 (master); Valkey 8.0.1 (node-2)"; r.Server != want {
		t.Errorf("mixed: %q, want %q", r.Server, want)
	}
}
