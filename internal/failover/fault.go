package failover

import (
	"context"
	"fmt"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// Mode is how a node is faulted.
type Mode string

// The faults kill-master can inject.
const (
	// Kill sends SIGKILL: the node dies without a word.
	Kill Mode = "kill"
	// Stop sends SIGTERM: the node shuts down cleanly.
	Stop Mode = "stop"
	// Pause freezes the node: its connections stay open but silent.
	Pause Mode = "pause"
	// Disconnect moves the node off the lab network onto one of its own: it
	// keeps running and the host still reaches it (a partition).
	Disconnect Mode = "disconnect"
)

// ParseMode accepts the mode names.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(s); m {
	case Kill, Stop, Pause, Disconnect:
		return m, nil
	}
	return "", fmt.Errorf("mode %q is not one of kill, stop, pause, disconnect; use --mode kill", s)
}

// LabelIsolated marks the network a disconnected node was moved to.
const LabelIsolated = "sentinel-lab.isolated"

// isolatedNetwork is the network of its own a disconnected node moves to.
func isolatedNetwork(l *lab.Lab, service string) string {
	return fmt.Sprintf("%s_cut-%s", l.Config.Name, service)
}

// prepare does what a fault needs beforehand, so the fault itself is one
// quick engine call: a disconnect needs the network it moves the node to.
func prepare(ctx context.Context, s *lab.Session, n topology.Node, m Mode) error {
	if m != Disconnect {
		return nil
	}
	eng, l := s.Engine, s.Lab
	// A network left by an interrupted kill-master is used again.
	nets, err := eng.Networks(ctx)
	if err != nil {
		return err
	}
	for _, nw := range nets {
		if nw.Name == isolatedNetwork(l, n.Service) {
			return nil
		}
	}
	return eng.CreateNetwork(ctx, engine.NetworkSpec{Name: isolatedNetwork(l, n.Service), Labels: map[string]string{
		engine.LabelProject: l.Config.Name, LabelIsolated: n.Service,
	}})
}

// unprepare removes what prepare made, after a fault that could not be
// applied.
func unprepare(s *lab.Session, n topology.Node, m Mode) {
	if m != Disconnect {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s.Engine.RemoveNetwork(ctx, isolatedNetwork(s.Lab, n.Service))
}

// inject applies the fault to node n's container c.
func inject(ctx context.Context, s *lab.Session, n topology.Node, c engine.Container, m Mode) error {
	eng, l := s.Engine, s.Lab
	switch m {
	case Kill:
		return eng.Kill(ctx, c.ID, "SIGKILL")
	case Stop:
		return eng.Stop(ctx, c.ID, 10*time.Second)
	case Pause:
		return eng.Pause(ctx, c.ID)
	case Disconnect:
		if err := eng.Disconnect(ctx, c.ID, l.NetworkName()); err != nil {
			return err
		}
		return eng.Connect(ctx, c.ID, engine.Endpoint{Network: isolatedNetwork(l, n.Service)})
	}
	return fmt.Errorf("unknown mode %q", m)
}

// Fault is a node that is not doing its job, and how to undo that.
type Fault struct {
	Service string
	// Kind is "stopped", "paused" or "cut off".
	Kind string
}

// Faults lists the lab's nodes whose containers exist but are stopped,
// paused or cut off from the lab network.
func Faults(l *lab.Lab, containers map[string]engine.Container) []Fault {
	var out []Fault
	for _, n := range l.Topology.Nodes {
		c, ok := containers[n.Service]
		if !ok {
			continue
		}
		switch {
		case c.State == engine.StatePaused:
			out = append(out, Fault{n.Service, "paused"})
		case c.State != engine.StateRunning:
			out = append(out, Fault{n.Service, "stopped"})
		default:
			if _, on := c.Addresses[l.NetworkName()]; !on {
				out = append(out, Fault{n.Service, "cut off"})
			}
		}
	}
	return out
}

// undo brings a faulted node back: start, unpause, or move it back to the
// lab network at its own address.
func undo(ctx context.Context, s *lab.Session, f Fault, c engine.Container) error {
	eng, l := s.Engine, s.Lab
	switch f.Kind {
	case "paused":
		return eng.Unpause(ctx, c.ID)
	case "stopped":
		return eng.Start(ctx, c.ID)
	case "cut off":
		n, _ := l.Topology.Node(f.Service)
		for nw := range c.Addresses {
			if err := eng.Disconnect(ctx, c.ID, nw); err != nil {
				return err
			}
		}
		if err := eng.Connect(ctx, c.ID, engine.Endpoint{
			Network: l.NetworkName(), IPv4: n.Addr.Addr(), Aliases: []string{n.Service},
		}); err != nil {
			return err
		}
		return eng.RemoveNetwork(ctx, isolatedNetwork(l, f.Service))
	}
	return fmt.Errorf("unknown fault %q", f.Kind)
}

// isolatedAddr is the disconnected node's address on its network of its
// own, where a client on its side of the partition reaches it.
func isolatedAddr(ctx context.Context, s *lab.Session, n topology.Node) string {
	containers, err := s.Containers(ctx)
	if err != nil {
		return ""
	}
	ip, ok := containers[n.Service].Addresses[isolatedNetwork(s.Lab, n.Service)]
	if !ok || !ip.IsValid() {
		return ""
	}
	return fmt.Sprintf("%s:%d", ip, n.Addr.Port())
}
