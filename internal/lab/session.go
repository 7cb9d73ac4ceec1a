package lab

import (
	"context"
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/image"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/progress"
	"github.com/sentinel-lab/sentinel-lab/internal/render"
	"github.com/sentinel-lab/sentinel-lab/internal/wait"
)

// Session is what every operation on a lab works with: the lab, the engine
// it runs on, connections to its nodes, the clock and where progress goes.
// Commands open one per run; tests build one from fakes.
type Session struct {
	// Lab is the lab operated on; up resolves it, every other operation
	// opens it from the lab directory first.
	Lab    *Lab
	Engine engine.Engine
	// Progress shows what is going on; nil prints nothing.
	Progress *progress.Printer
	// Clock paces waits and stamps times; nil is the wall clock.
	Clock wait.Clock
	// OpenNodes connects to a lab's nodes; nil is the real prober,
	// reaching them as Reach says.
	OpenNodes func(l *Lab) probe.Nodes
	Reach     probe.Reach
	// Host is what a local image build may use.
	Host image.Host
	// PollInterval paces health polls; 0 means 100ms.
	PollInterval time.Duration

	// nodesMu guards nodes: steps ask for them from goroutines of their
	// own (the timers of every sentinel at once), and the first ones must
	// not each open connections of their own.
	nodesMu  sync.Mutex
	nodes    probe.Nodes
	nodesFor *Lab
}

func (s *Session) interval() time.Duration {
	if s.PollInterval > 0 {
		return s.PollInterval
	}
	return 100 * time.Millisecond
}

// Now is the session clock's time.
func (s *Session) Now() time.Time { return s.Time().Now() }

// Time is the session's clock, the wall clock when none is set.
func (s *Session) Time() wait.Clock {
	if s.Clock != nil {
		return s.Clock
	}
	return wait.RealClock{}
}

// Nodes are the connections to the lab's nodes, opened on first use and
// again when the session moved on to another lab (a second up).
func (s *Session) Nodes() probe.Nodes {
	s.nodesMu.Lock()
	defer s.nodesMu.Unlock()
	if s.nodes != nil && s.nodesFor != s.Lab {
		s.closeNodes()
	}
	if s.nodes == nil {
		s.nodesFor = s.Lab
		s.nodes = s.openNodes(s.Lab)
	}
	return s.nodes
}

// openNodes connects to the nodes of l, which the caller closes.
func (s *Session) openNodes(l *Lab) probe.Nodes {
	if s.OpenNodes != nil {
		return s.OpenNodes(l)
	}
	return l.Prober(s.Engine, s.Reach)
}

// Close closes the connections to the nodes.
func (s *Session) Close() {
	s.nodesMu.Lock()
	defer s.nodesMu.Unlock()
	s.closeNodes()
}

// closeNodes closes the connections; the caller holds nodesMu.
func (s *Session) closeNodes() {
	if s.nodes != nil {
		s.nodes.Close()
		s.nodes = nil
	}
}

// Snapshot asks every node and sentinel of the lab at once.
func (s *Session) Snapshot(ctx context.Context) probe.Snapshot {
	return probe.TakeSnapshot(ctx, s.Nodes(), s.Lab.Topology, s.Now())
}

// NetworkLister is the part of the engine that lists networks.
type NetworkLister interface {
	Networks(ctx context.Context) ([]engine.Network, error)
}

// Prober connects to the lab's nodes. nets tells where the lab network is,
// so in-network addresses are dialed only over its bridge on this host
// (nil: never, only published ports).
func (l *Lab) Prober(nets NetworkLister, reach probe.Reach) *probe.Prober {
	d := probe.NewDialer(l.Topology, l.Config.Bind, reach)
	if nets != nil {
		d.WithBridge(l.bridgeLookup(nets))
	}
	return probe.New(l.Topology, l.Password, d)
}

// bridgeLookup finds the lab network on the engine, for the dialer.
func (l *Lab) bridgeLookup(nets NetworkLister) probe.BridgeLookup {
	return func(ctx context.Context) (probe.Bridge, error) {
		list, err := nets.Networks(ctx)
		if err != nil {
			return probe.Bridge{}, err
		}
		for _, n := range list {
			if n.Name != l.NetworkName() {
				continue
			}
			br := probe.Bridge{Name: n.Name, Gateway: n.Gateway}
			if len(n.Subnets) > 0 {
				br.Subnet = n.Subnets[0]
			}
			if slices.Contains(n.Subnets, l.Topology.Subnet) {
				br.Subnet = l.Topology.Subnet
			}
			return br, nil
		}
		return probe.Bridge{}, fmt.Errorf("network %s does not exist (`sentinel-lab up` creates it again)", l.NetworkName())
	}
}

// ComposeDir is the compose project's working directory, which compose
// labels containers with.
func (l *Lab) ComposeDir() string { return filepath.Join(l.Dir.Root, labdir.ComposeDir) }

// ComposeEnv is what docker-compose.yml interpolates, as compose/.env holds it.
func (l *Lab) ComposeEnv() map[string]string {
	out := map[string]string{}
	for _, v := range render.ComposeEnv(l.renderInput()) {
		out[v.Key] = v.Value
	}
	return out
}

func (l *Lab) renderInput() render.Input {
	return render.Input{Config: l.Config, Lab: l.Topology, Image: l.Image, Password: l.Password}
}

// Containers lists the lab's containers by label, by service, refusing containers of
// the same project name that belong to a lab in another directory.
func (s *Session) Containers(ctx context.Context) (map[string]engine.Container, error) {
	l := s.Lab
	list, err := s.Engine.Containers(ctx, ProjectLabels(l.Config.Name))
	if err != nil {
		return nil, err
	}
	out := map[string]engine.Container{}
	for _, c := range list {
		if wd := c.Labels[engine.LabelWorkingDir]; wd != "" && !labdir.SamePath(wd, l.ComposeDir()) {
			return nil, &NameTakenError{Name: l.Config.Name, OtherDir: strings.TrimSuffix(wd, "/"+labdir.ComposeDir)}
		}
		if c.Labels[engine.LabelOneoff] == "True" {
			continue // a `docker compose run` container is not its service's
		}
		if prev, ok := out[c.Service]; ok && alive(prev) && !alive(c) {
			continue // a swarm keeps the stopped containers of a node's earlier tasks
		}
		out[c.Service] = c
	}
	return out, nil
}

// alive tells a container that runs or is paused.
func alive(c engine.Container) bool {
	return c.State == engine.StateRunning || c.State == engine.StatePaused
}

// NameTakenError refuses a second lab under a name already in use.
type NameTakenError struct {
	Name     string
	OtherDir string
}

func (e *NameTakenError) Error() string {
	return fmt.Sprintf("lab name %q is already used by the lab in %s; pass another --name (or run there: sentinel-lab down)", e.Name, e.OtherDir)
}

// IsUsage marks the error as the user's to fix.
func (e *NameTakenError) IsUsage() bool { return true }

// takenSubnets returns a predicate telling subnets that overlap a network
// which is not this lab's, or that this host routes elsewhere.
func (s *Session) takenSubnets(ctx context.Context, project string) (func(netip.Prefix) bool, []engine.Network, error) {
	nets, err := s.Engine.Networks(ctx)
	if err != nil {
		return nil, nil, err
	}
	// An unreadable routing table leaves Docker's networks to avoid.
	routes, _ := hostRoutes()
	return func(p netip.Prefix) bool {
		return foreignOverlap(nets, project, p) != "" || routedElsewhere(routes, nets, project, p) != ""
	}, nets, nil
}

// foreignOverlap names a network, not of project, whose subnet overlaps p.
func foreignOverlap(nets []engine.Network, project string, p netip.Prefix) string {
	for _, n := range nets {
		if n.Labels[engine.LabelProject] == project {
			continue
		}
		for _, s := range n.Subnets {
			if s.Overlaps(p) {
				return fmt.Sprintf("%s (%s)", n.Name, s)
			}
		}
	}
	return ""
}
