package lab

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/engine/enginetest"
	"github.com/sentinel-lab/sentinel-lab/internal/image"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/probe/probetest"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
	"github.com/sentinel-lab/sentinel-lab/internal/wait/waittest"
)

// testEnv is a lab session on a fake engine, fake nodes and a fake clock.
// Every time the session opens its nodes, they start as a healthy lab and
// then follow script, timed from that moment.
type testEnv struct {
	*Session
	eng    *enginetest.Fake
	clock  *waittest.Clock
	script func(*probetest.Fake)
	opened []*probetest.Fake

	mu     sync.Mutex
	resets []string // sentinels sent SENTINEL RESET, in order
}

const testImage = "redis:7.2"

// healthy leaves the lab healthy, with the initial master as master.
func healthy(*probetest.Fake) {}

// sentinelMissesReplicaFor: the last sentinel has not learnt of the last
// replica until d has passed.
func sentinelMissesReplicaFor(d time.Duration) func(*probetest.Fake) {
	return func(f *probetest.Fake) {
		f.Now(func(s *probetest.State) {
			s.View("sentinel-3", func(v *probe.SentinelView) { v.Replicas = v.Replicas[:len(v.Replicas)-1] })
		})
		f.At(d, func(s *probetest.State) { s.View("sentinel-3", nil) })
	}
}

// snapshotWithMaster is a healthy lab whose master is m: after a failover,
// every other data node, the old master included, replicates it.
func snapshotWithMaster(t *topology.Lab, m topology.Node) probe.Snapshot {
	f := probetest.New(t, waittest.NewClock())
	f.Now(func(s *probetest.State) {
		s.Promote(m.Service)
		for _, n := range t.DataNodes() {
			if n != m {
				s.Follow(m.Service, n.Service)
			}
		}
		for _, n := range t.Sentinels() {
			s.Names(m.Service, n.Service)
		}
	})
	return probe.TakeSnapshot(context.Background(), f, t, waittest.Start)
}

// allClosed tells whether every connection the session opened is closed.
func (e *testEnv) allClosed() bool {
	for _, f := range e.opened {
		if !f.Closed() {
			return false
		}
	}
	return true
}

func newTestEnv(script func(*probetest.Fake)) *testEnv {
	eng := enginetest.New(testImage)
	clock := waittest.NewClock()
	env := &testEnv{eng: eng, clock: clock, script: script}
	env.Session = &Session{
		Engine: eng, Clock: clock, PollInterval: time.Second,
		OpenNodes: func(l *Lab) probe.Nodes {
			f := probetest.New(l.Topology, clock)
			f.OnDo(env.do)
			env.script(f)
			env.opened = append(env.opened, f)
			return f
		},
		Host: image.Host{LookPath: func(string) (string, error) { return "", os.ErrNotExist }},
	}
	return env
}

// do answers the commands the life cycle sends: SENTINEL RESET, counted.
func (e *testEnv) do(n topology.Node, args []any) (any, error) {
	if len(args) >= 2 && args[0] == "sentinel" && args[1] == "reset" {
		e.mu.Lock()
		e.resets = append(e.resets, n.Service)
		e.mu.Unlock()
		return int64(1), nil
	}
	return nil, fmt.Errorf("testEnv: no answer to %v", args)
}

// reset tells whether sentinel was sent SENTINEL RESET.
func (e *testEnv) reset(sentinel string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Contains(e.resets, sentinel)
}

// nodes are the fake nodes the session opened last.
func (e *testEnv) nodes() *probetest.Fake { return e.opened[len(e.opened)-1] }

// polls counts the snapshots taken of the nodes opened last.
func (e *testEnv) polls() int {
	if len(e.opened) == 0 {
		return 0
	}
	n := 0
	for _, c := range e.nodes().Calls() {
		if c == "Sentinel sentinel-1" {
			n++
		}
	}
	return n
}

// reopen makes the session connect again, following script.
func (e *testEnv) reopen(script func(*probetest.Fake)) {
	e.Close()
	e.script = script
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
