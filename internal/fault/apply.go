package fault

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// Applied is one node faulted.
type Applied struct {
	Service string `json:"service"`
	Mode    Mode   `json:"mode"`
	// Fault says it in a few words: "loss 30% from sentinel-1".
	Fault string    `json:"fault"`
	At    time.Time `json:"at"`
	// CallMS is how long the fault took to apply.
	CallMS int64 `json:"call_ms"`
	// Until is when a sleeping node wakes, or a fault given --for is
	// undone.
	Until time.Time `json:"until,omitzero"`
}

// Apply faults every target as spec says, each prepared first so the
// faults land close together. A target that cannot be faulted stops it
// before anything is applied.
func Apply(ctx context.Context, s *lab.Session, targets []topology.Node, spec Spec) ([]Applied, error) {
	if err := spec.Check(s.Lab.Topology, targets); err != nil {
		return nil, err
	}
	containers, err := s.RunningContainers(ctx)
	if err != nil {
		return nil, err
	}
	if err := Prune(s.Lab, containers, s.Now()); err != nil {
		return nil, err
	}
	var ins []*Injection
	for _, n := range targets {
		in, err := Prepare(ctx, s, n, containers[n.Service], spec)
		if err != nil {
			for _, done := range ins {
				done.Abandon()
			}
			return nil, err
		}
		ins = append(ins, in)
	}
	var out []Applied
	for i, in := range ins {
		at := s.Now()
		if err := in.Inject(ctx); err != nil {
			for _, rest := range ins[i:] {
				rest.Abandon()
			}
			return out, fmt.Errorf("faulting %s (%s): %w", in.Node.Service, spec.Mode, err)
		}
		a := Applied{Service: in.Node.Service, Mode: spec.Mode, Fault: spec.Describe(), At: at, CallMS: s.Now().Sub(at).Milliseconds(), Until: in.Until}
		if spec.For > 0 && spec.Mode != Sleep {
			a.Until = at.Add(spec.For)
		}
		s.Progress.Printf("%s: %s", a.Service, a.Fault)
		out = append(out, a)
	}
	return out, nil
}

// Lift undoes the faults of the named nodes (all of their faults), as a
// fault given --for ends; unlike revive it does not wait for them to
// rejoin. It returns what it undid.
func Lift(ctx context.Context, s *lab.Session, services []string) ([]Fault, error) {
	containers, err := s.Containers(ctx)
	if err != nil {
		return nil, err
	}
	all, err := List(s.Lab, containers, s.Now())
	if err != nil {
		return nil, err
	}
	var done []Fault
	for _, f := range all {
		if !slices.Contains(services, f.Service) {
			continue
		}
		if err := Undo(ctx, s, f, containers[f.Service]); err != nil {
			return done, fmt.Errorf("undoing %s of %s: %w", f.Kind, f.Service, err)
		}
		s.Progress.Printf("%s: %s", f.Service, f.Kind.Undone())
		done = append(done, f)
	}
	return done, nil
}
