package fault

import (
	"context"
	"fmt"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// Fault is a node that is not doing its job, and how to undo that.
type Fault struct {
	Service string
	Kind    Kind
	// Detail says more where there is more: "loss 30% from sentinel-1",
	// "until 14:30:05", "crash-after-election".
	Detail string
	record *Record
}

// List finds the lab's faulted nodes: containers stopped, paused or cut
// off from the lab network, and what the lab's records say is still in
// place (packet filters, delays, sleeps, armed sentinels) on containers
// that still run. A node can have several. For each node the container's
// own state comes first, the order revive undoes them in.
func List(l *lab.Lab, containers map[string]engine.Container, now time.Time) ([]Fault, error) {
	recs, err := ReadRecords(l.Dir)
	if err != nil {
		return nil, err
	}
	var out []Fault
	for _, n := range l.Topology.Nodes {
		c, ok := containers[n.Service]
		if !ok {
			continue
		}
		switch {
		case c.State == engine.StatePaused:
			out = append(out, Fault{Service: n.Service, Kind: Paused})
		case c.State != engine.StateRunning:
			out = append(out, Fault{Service: n.Service, Kind: Stopped})
		default:
			if _, on := c.Addresses[l.NetworkName()]; !on {
				out = append(out, Fault{Service: n.Service, Kind: CutOff})
			}
		}
		for i := range recs {
			if r := &recs[i]; r.Service == n.Service && live(r, c, now) {
				out = append(out, Fault{Service: n.Service, Kind: r.Kind, Detail: detail(r), record: r})
			}
		}
	}
	return out, nil
}

// live tells a record of a fault still in place: its container is the
// one faulted and has not stopped since (a stop takes the network
// namespace, its rules and the server's state with it), and a sleep has
// not ended.
func live(r *Record, c engine.Container, now time.Time) bool {
	if r.Container != c.ID || (c.State != engine.StateRunning && c.State != engine.StatePaused) {
		return false
	}
	return r.Kind != Sleeping || now.Before(r.Until)
}

func detail(r *Record) string {
	switch r.Kind {
	case Sleeping:
		return "until " + r.Until.Local().Format("15:04:05.000")
	case Armed:
		return string(r.Spec.Mode)
	}
	return r.Spec.Describe()
}

// Text is the fault as status shows it: "paused", "packet filter (loss
// 30% from sentinel-1)".
func (f Fault) Text() string {
	if f.Detail == "" {
		return string(f.Kind)
	}
	return fmt.Sprintf("%s (%s)", f.Kind, f.Detail)
}

// Undo brings a faulted node back: start, unpause, reconnect, remove its
// packet filter or delay, wait for its sleep to end, or disarm it.
func Undo(ctx context.Context, s *lab.Session, f Fault, c engine.Container) error {
	eng := s.Engine
	n, _ := s.Lab.Topology.Node(f.Service)
	switch f.Kind {
	case Paused:
		return eng.Unpause(ctx, c.ID)
	case Stopped:
		return s.StartNode(ctx, f.Service, c)
	case CutOff:
		return reconnect(ctx, s, n, c)
	}
	if f.record == nil {
		return fmt.Errorf("unknown fault %q", f.Kind)
	}
	if err := undoRecorded(ctx, s, n, c, f.record); err != nil {
		return err
	}
	return forget(s.Lab.Dir, f.Service, f.Kind)
}

func undoRecorded(ctx context.Context, s *lab.Session, n topology.Node, c engine.Container, r *Record) error {
	switch r.Kind {
	case Sleeping:
		// Nothing wakes a server from DEBUG SLEEP early: wait for it.
		if d := r.Until.Sub(s.Now()); d > 0 {
			s.Progress.Printf("%s sleeps until %s; waiting", n.Service, r.Until.Local().Format("15:04:05.000"))
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-s.Time().After(d):
			}
		}
		return nil
	case Armed:
		return disarm(ctx, s, n)
	}
	h, err := newHelper(ctx, s)
	if err != nil {
		return err
	}
	if r.Kind == Delayed {
		return h.removeNetem(ctx, c, n.Service, r.Device)
	}
	return h.removeTable(ctx, c, n.Service)
}

// Undone says what undoing a fault of kind k did, for progress.
func (k Kind) Undone() string {
	return map[Kind]string{
		Stopped: "started", Paused: "unpaused", CutOff: "moved back to the lab network",
		Filtered: "packet filter removed", Delayed: "delay removed", Sleeping: "awake", Armed: "disarmed",
	}[k]
}

// Prune drops records that no longer describe a fault (the node was
// stopped, recreated or woke up), so they are not undone twice.
func Prune(l *lab.Lab, containers map[string]engine.Container, now time.Time) error {
	return change(l.Dir, func(recs []Record) []Record {
		var keep []Record
		for i := range recs {
			if live(&recs[i], containers[recs[i].Service], now) {
				keep = append(keep, recs[i])
			}
		}
		return keep
	})
}
