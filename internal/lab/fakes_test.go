package lab

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/engine/enginetest"
	"github.com/sentinel-lab/sentinel-lab/internal/image"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// fakeClock advances only when the code under test waits on it.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	waits int
}

func newClock() *fakeClock { return &fakeClock{now: time.Unix(1_700_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.waits++
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

// script says what the lab answers on the n-th snapshot (0-based).
type script func(n int, t *topology.Lab) probe.Snapshot

// probers is the Env.NewProber hook: every prober it makes answers from
// one script and counts its polls; Close is counted so leaks show.
type probers struct {
	mu     sync.Mutex
	script script
	polls  int
	opened int
	closed int
	// resets are the sentinels sent SENTINEL RESET, in order.
	resets []string
}

func (p *probers) New(l *Lab) Prober {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.opened++
	return &fakeProber{p: p, topo: l.Topology}
}

// reset answers from s from now on, counting polls afresh.
func (p *probers) reset(s script) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.script, p.polls = s, 0
}

func (p *probers) Polls() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.polls
}

type fakeProber struct {
	p    *probers
	topo *topology.Lab
}

func (f *fakeProber) Snapshot(context.Context) probe.Snapshot {
	f.p.mu.Lock()
	n := f.p.polls
	f.p.polls++
	s := f.p.script
	f.p.mu.Unlock()
	return s(n, f.topo)
}

func (f *fakeProber) ResetSentinel(_ context.Context, n topology.Node) error {
	f.p.mu.Lock()
	defer f.p.mu.Unlock()
	f.p.resets = append(f.p.resets, n.Service)
	return nil
}

// Resets returns the sentinels reset so far.
func (p *probers) Resets() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.resets...)
}

func (f *fakeProber) Close() {
	f.p.mu.Lock()
	defer f.p.mu.Unlock()
	f.p.closed++
}

// healthy is a lab where everyone agrees the initial master is the master.
func healthy(_ int, t *topology.Lab) probe.Snapshot { return snapshotWithMaster(t, t.InitialMaster()) }

// snapshotWithMaster is a healthy lab whose master is m: after a failover,
// every other data node, the old master included, replicates it.
func snapshotWithMaster(t *topology.Lab, m topology.Node) probe.Snapshot {
	var s probe.Snapshot
	var replicas []probe.ReplicaEntry
	var replicaPeers []probe.PeerState
	for _, n := range t.DataNodes() {
		if n.Service == m.Service {
			continue
		}
		replicas = append(replicas, probe.ReplicaEntry{Addr: n.Addr.String(), State: "online", Offset: 1000, Lag: 0})
		replicaPeers = append(replicaPeers, probe.PeerState{Address: n.Addr.String(), Flags: "slave"})
	}
	for _, n := range t.DataNodes() {
		ni := probe.NodeInfo{Service: n.Service, Address: n.Addr.String(), Reachable: true, Offset: 1000}
		if n.Service == m.Service {
			ni.Role, ni.Replicas, ni.ConnectedReplicas = "master", replicas, len(replicas)
		} else {
			ni.Role, ni.MasterAddr, ni.MasterLinkStatus = "replica", m.Addr.String(), "up"
		}
		s.Nodes = append(s.Nodes, ni)
	}
	for _, v := range t.Sentinels() {
		var others []probe.PeerState
		for _, o := range t.Sentinels() {
			if o.Service != v.Service {
				others = append(others, probe.PeerState{Address: o.Addr.String(), Flags: "sentinel"})
			}
		}
		s.Sentinels = append(s.Sentinels, probe.SentinelView{
			Service: v.Service, Address: v.Addr.String(), Reachable: true,
			MasterAddr: m.Addr.String(), Flags: "master",
			Replicas: replicaPeers, Sentinels: others,
			NumReplicas: len(replicaPeers), NumOtherSentinels: len(others),
			QuorumOK: true, QuorumReply: "OK 3 usable Sentinels. Quorum and failover authorization can be reached",
		})
	}
	return s
}

// sentinelMissesReplica is a lab where the last sentinel has not yet
// learnt of the last replica.
func sentinelMissesReplica(_ int, t *topology.Lab) probe.Snapshot {
	s := healthy(0, t)
	last := &s.Sentinels[len(s.Sentinels)-1]
	last.Replicas = last.Replicas[:len(last.Replicas)-1]
	return s
}

// healthyFrom answers like before until the n-th poll, then healthy.
func healthyFrom(n int, before script) script {
	return func(i int, t *topology.Lab) probe.Snapshot {
		if i < n {
			return before(i, t)
		}
		return healthy(i, t)
	}
}

// testEnv is a lab Env on a fake engine, a fake prober and a fake clock.
type testEnv struct {
	*Env
	eng     *enginetest.Fake
	clock   *fakeClock
	probers *probers
}

const testImage = "redis:7.2"

func newTestEnv(s script) *testEnv {
	eng := enginetest.New(testImage)
	p := &probers{script: s}
	clock := newClock()
	return &testEnv{
		Env: &Env{
			Engine: eng, Clock: clock, NewProber: p.New, PollInterval: time.Second,
			Host: image.Host{LookPath: func(string) (string, error) { return "", os.ErrNotExist }},
		},
		eng: eng, clock: clock, probers: p,
	}
}

// newDir is an empty lab directory.
func newDir(t *testing.T) labdir.Dir {
	t.Helper()
	return labdir.Dir{Root: filepath.Join(t.TempDir(), "lab")}
}

// loadConfig is the configuration of lab "alpha" under flags, as the CLI
// would load it in dir (without the process environment).
func loadConfig(t *testing.T, dir labdir.Dir, flags map[string]string) *config.Config {
	t.Helper()
	all := map[string]string{"name": "alpha"}
	for k, v := range flags {
		all[k] = v
	}
	st, err := dir.ReadState()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(config.Layers{Dir: dir.Root, Flags: all, Remembered: st.Flags, UID: 1000, GID: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// mkdir creates the lab directory, as the CLI requires it to exist.
func mkdir(t *testing.T, dir labdir.Dir) labdir.Dir {
	t.Helper()
	if err := os.MkdirAll(dir.Root, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// listTree lists every path under root, relative to it.
func listTree(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != root {
			rel, _ := filepath.Rel(root, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }
