// Package labtest starts a lab on fakes for unit tests of what runs on a
// lab (kill-master, revive, soak, the commands): a fake engine, fake nodes
// that follow the engine (a stopped, paused or cut-off container does not
// answer) and a fake clock.
package labtest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/engine/enginetest"
	"github.com/sentinel-lab/sentinel-lab/internal/image"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/probe/probetest"
	"github.com/sentinel-lab/sentinel-lab/internal/wait/waittest"
)

// Image is the image the fake engine holds.
const Image = "redis:7.2"

// Lab is a running, healthy lab on fakes.
type Lab struct {
	Session *lab.Session
	Engine  *enginetest.Fake
	Nodes   *probetest.Fake
	Clock   *waittest.Clock
	Dir     labdir.Dir

	// stopped are the sentinels whose process ended (not paused): when
	// they run again they start afresh, without the periods SENTINEL
	// DEBUG set.
	stopped map[string]bool
}

// New renders and starts lab "alpha" (flags as `up` takes them, such as
// "replicas": "3") in a temporary directory, down-after 1000 ms.
func New(t *testing.T, flags map[string]string) *Lab {
	t.Helper()
	fx := &Lab{Engine: enginetest.New(Image), Clock: waittest.NewClock()}
	fx.Dir = labdir.Dir{Root: filepath.Join(t.TempDir(), "alpha")}
	if err := os.MkdirAll(fx.Dir.Root, 0o755); err != nil {
		t.Fatal(err)
	}
	fx.Session = fx.NewSession()
	all := map[string]string{"name": "alpha", "down-after": "1000"}
	for k, v := range flags {
		all[k] = v
	}
	cfg, err := config.Load(config.Layers{Dir: fx.Dir.Root, Flags: all, UID: 1000, GID: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fx.Session.Up(context.Background(), fx.Dir, cfg, lab.UpOptions{Flags: flags, Timeout: time.Minute}); err != nil {
		t.Fatalf("up on fakes: %v", err)
	}
	fx.Nodes.Rebase()
	return fx
}

// NewSession is another session on the same fakes, as a second command
// run would open (its Lab is not set).
func (fx *Lab) NewSession() *lab.Session {
	return &lab.Session{
		Engine: fx.Engine, Clock: fx.Clock, PollInterval: 100 * time.Millisecond,
		OpenNodes: fx.OpenNodes,
		Host:      image.Host{LookPath: func(string) (string, error) { return "", os.ErrNotExist }},
	}
}

// OpenNodes hands out the one fake of the lab's nodes, made on first use and
// tied to the engine from then on.
func (fx *Lab) OpenNodes(l *lab.Lab) probe.Nodes {
	if fx.Nodes == nil {
		fx.Nodes = probetest.New(l.Topology, fx.Clock)
		fx.Engine.OnChange(func(c engine.Container, removed bool) { fx.follow(l, c, removed) })
	}
	return fx.Nodes
}

// follow makes a node of l answer, or not, as its container now runs on
// the lab network, or not; it returns whether it is down.
func (fx *Lab) follow(l *lab.Lab, c engine.Container, removed bool) (down bool) {
	node, ok := l.Topology.Node(c.Service)
	if !ok {
		return false
	}
	_, on := c.Addresses[l.NetworkName()]
	down = removed || c.State != engine.StateRunning || !on
	if fx.stopped == nil {
		fx.stopped = map[string]bool{}
	}
	ended := removed || (c.State != engine.StateRunning && c.State != engine.StatePaused)
	fx.Nodes.Now(func(s *probetest.State) {
		switch {
		case down:
			s.Down(c.Service)
		case fx.stopped[c.Service] && node.IsSentinel():
			s.Restart(c.Service)
		default:
			s.Up(c.Service)
		}
	})
	if ended {
		fx.stopped[c.Service] = true
	} else if !down {
		delete(fx.stopped, c.Service)
	}
	return down
}

// Container is the container of service.
func (fx *Lab) Container(t *testing.T, service string) engine.Container {
	t.Helper()
	c, ok := fx.Engine.Find("alpha", service)
	if !ok {
		t.Fatalf("no container for %s", service)
	}
	return c
}
