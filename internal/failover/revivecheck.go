package failover

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/fault"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/wait"
)

// Faults revive finds beyond those of the fault package (see fault.List).
const (
	// FaultMissing: the node has no container (docker rm -f); revive
	// creates it again as up does.
	FaultMissing fault.Kind = "missing"
	// FaultStrayMaster: a data node answers role:master beside the
	// sentinels' master; the sentinels turn it into a replica, revive waits.
	FaultStrayMaster fault.Kind = "stray master"
)

// reviveFaults are what revive checks, as status does: every fault in
// place (stopped, paused, cut off, and those the lab's records know), the
// missing containers, and, from a snapshot, the stray masters.
func reviveFaults(l *lab.Lab, containers map[string]engine.Container, snap probe.Snapshot, now time.Time) ([]fault.Fault, error) {
	faults, err := fault.List(l, containers, now)
	if err != nil {
		return nil, err
	}
	faults = append(faults, missingFaults(l, containers)...)
	h := probe.Evaluate(l.Topology, snap)
	if !h.HasMaster {
		return faults, nil
	}
	for _, n := range probe.StrayMasters(snap, h.Master) {
		if !slices.ContainsFunc(faults, func(f fault.Fault) bool { return f.Service == n.Service }) {
			faults = append(faults, fault.Fault{Service: n.Service, Kind: FaultStrayMaster})
		}
	}
	return faults, nil
}

// missingFaults are the lab's nodes without a container.
func missingFaults(l *lab.Lab, containers map[string]engine.Container) []fault.Fault {
	var out []fault.Fault
	for _, n := range l.Topology.Nodes {
		if _, ok := containers[n.Service]; !ok {
			out = append(out, fault.Fault{Service: n.Service, Kind: FaultMissing})
		}
	}
	return out
}

// undoFault undoes one fault: a missing container is created again, a
// stray master is left to the sentinels, the others as fault.Undo does.
func undoFault(ctx context.Context, s *lab.Session, f fault.Fault, c engine.Container) error {
	switch f.Kind {
	case FaultMissing:
		return s.Recreate(ctx, f.Service)
	case FaultStrayMaster:
		return nil
	}
	return fault.Undo(ctx, s, f, c)
}

// undoneText says what revive did about a fault.
func undoneText(kind fault.Kind) string {
	switch kind {
	case FaultMissing:
		return "created again, as up does"
	case FaultStrayMaster:
		return "answers role:master beside the sentinels' master; waiting for the sentinels to turn it into a replica"
	}
	return kind.Undone()
}

// started are the services whose containers revive started or created,
// which must not stop again while it waits.
func started(faults []fault.Fault) []string {
	var out []string
	for _, f := range faults {
		if f.Kind == fault.Stopped || f.Kind == FaultMissing {
			out = append(out, f.Service)
		}
	}
	return out
}

// exitedAfterRevive fails the wait, naming the cause from the container's
// last lines, when a node revive started stopped again (a conf deleted, a
// data folder it cannot read), instead of waiting out the timeout.
func exitedAfterRevive(ctx context.Context, s *lab.Session, services []string) error {
	if len(services) == 0 {
		return nil
	}
	return s.CheckExited(ctx, services, "again after revive started it")
}

// nothingToRevive is revive with every node running and connected: done
// when the lab is healthy, with its master named; otherwise it waits for
// health (--timeout) and says what is still wrong.
func nothingToRevive(ctx context.Context, s *lab.Session, timeout time.Duration, rep *ReviveReport) error {
	l := s.Lab
	var last probe.Health
	_, err := reviveWait(s, timeout).Until(ctx, func(ctx context.Context) (bool, string, error) {
		// A sentinel restarted outside the lab lost its periods.
		if _, err := s.EnsureTimers(ctx); err != nil {
			return false, "", err
		}
		last = probe.Evaluate(l.Topology, s.Snapshot(ctx))
		return last.Healthy, last.Condition(), nil
	})
	var te *wait.TimeoutError
	if errors.As(err, &te) {
		return fmt.Errorf("every node of lab %q is running and connected, so there is nothing to revive, but the lab is not healthy after %s (--timeout): %s",
			l.Config.Name, te.After.Round(100*time.Millisecond), strings.Join(last.Problems, "; "))
	}
	if err != nil {
		return err
	}
	rep.Master = last.Master.Ref()
	return nil
}
