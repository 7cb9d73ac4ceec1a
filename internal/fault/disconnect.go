package fault

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// LabelIsolated marks the network a disconnected node was moved to.
const LabelIsolated = "sentinel-lab.isolated"

// isolatedNetwork is the network of its own a disconnected node moves to.
func isolatedNetwork(l *lab.Lab, service string) string {
	return fmt.Sprintf("%s_cut-%s", l.Config.Name, service)
}

// ensureIsolatedNetwork makes the network a disconnect moves n to; one
// left by an interrupted fault is used again.
func ensureIsolatedNetwork(ctx context.Context, s *lab.Session, n topology.Node) error {
	eng, l := s.Engine, s.Lab
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

// reconnect moves a cut-off node back to the lab network at its own
// address and removes the network it was moved to.
func reconnect(ctx context.Context, s *lab.Session, n topology.Node, c engine.Container) error {
	eng, l := s.Engine, s.Lab
	for nw := range c.Addresses {
		if err := eng.Disconnect(ctx, c.ID, nw); err != nil {
			return err
		}
	}
	if l.Config.Swarm() {
		// A task's container connected back by hand gets no name in the
		// swarm's DNS (tried here: the sentinels kept failing to resolve
		// it): a new task of the node's service comes back with it.
		if err := s.StartNode(ctx, n.Service, c); err != nil {
			return err
		}
		return eng.RemoveNetwork(ctx, isolatedNetwork(l, n.Service))
	}
	if err := eng.Connect(ctx, c.ID, engine.Endpoint{
		Network: l.NetworkName(), IPv4: n.Addr.Addr(), Aliases: []string{n.Service},
	}); err != nil {
		return err
	}
	return eng.RemoveNetwork(ctx, isolatedNetwork(l, n.Service))
}

// IsolatedAddr is a disconnected node's address on its network of its
// own, where a client on its side of the partition reaches it; "" when it
// is not cut off.
func IsolatedAddr(ctx context.Context, s *lab.Session, n topology.Node) string {
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

// lockedWriter lets two streams share one buffer.
type lockedWriter struct {
	mu sync.Mutex
	b  *bytes.Buffer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
