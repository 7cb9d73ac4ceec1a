package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
)

// checkLabServices makes sure the compose files still define every node:
// a hand edit that dropped one would leave the lab unable to fail over.
func checkLabServices(l *Lab, services []ServicePlan) error {
	have := map[string]bool{}
	for _, s := range services {
		have[s.Service] = true
	}
	var missing []string
	for _, n := range l.Topology.Nodes {
		if !have[n.Service] {
			missing = append(missing, n.Service)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s does not define %s; restore it (delete it and run `sentinel-lab render`)",
			l.Dir.Rel(l.Dir.ComposeFile()), strings.Join(missing, ", "))
	}
	return nil
}

// removeOrphanNodes removes the containers of lab nodes the compose files no
// longer define (the lab was shrunk: --replicas 1 after 2), and names other
// containers of the project that no file defines.
func (s *Session) removeOrphanNodes(ctx context.Context, services []ServicePlan, existing map[string]engine.Container) error {
	defined := map[string]bool{}
	for _, s := range services {
		defined[s.Service] = true
	}
	for service, c := range existing {
		if defined[service] {
			continue
		}
		if c.Labels[engine.LabelRole] == "" {
			s.Progress.Printf("note: container %s (service %s) is no longer in the compose files; `sentinel-lab down` removes it", c.Name, service)
			continue
		}
		if err := s.Engine.Remove(ctx, c.ID); err != nil {
			return err
		}
		delete(existing, service)
		s.Progress.Printf("%s: removed, the lab no longer has it (its data/%s is kept)", service, service)
	}
	return nil
}

// actionKind is what `up` does to one service's container.
type actionKind string

const (
	actCreate   actionKind = "create"
	actStart    actionKind = "start"
	actUnpause  actionKind = "unpause"
	actRecreate actionKind = "recreate"
)

type action struct {
	kind     actionKind
	plan     ServicePlan
	existing engine.Container
	// why a container is recreated, when not for a changed spec.
	why string
}

// planActions compares what should run with what exists. Running
// containers whose spec is unchanged are left alone.
func planActions(services []ServicePlan, existing map[string]engine.Container) []action {
	var out []action
	for _, s := range services {
		c, ok := existing[s.Service]
		switch {
		case !ok:
			out = append(out, action{kind: actCreate, plan: s})
		case c.Labels[engine.LabelSpecHash] != s.Hash:
			out = append(out, action{kind: actRecreate, plan: s, existing: c})
		case c.State == engine.StatePaused:
			out = append(out, action{kind: actUnpause, plan: s, existing: c})
		case c.State != engine.StateRunning:
			out = append(out, action{kind: actStart, plan: s, existing: c})
		}
	}
	return out
}

// checkPortsFree fails before anything is created when a port a container
// would publish is already taken on this host, naming the port and node.
func checkPortsFree(actions []action) error {
	var problems, services []string
	for _, a := range actions {
		switch {
		case a.kind == actUnpause:
			continue // a paused container still holds its ports
		case a.kind == actRecreate && (a.existing.State == engine.StateRunning || a.existing.State == engine.StatePaused):
			// The container being replaced holds its own ports until it
			// is removed; a port taken by something else still fails the
			// start, with the engine's error naming the service.
			continue
		}
		for _, port := range a.plan.Spec.Ports {
			host := port.HostIP
			if host == "" {
				host = "0.0.0.0"
			}
			addr := net.JoinHostPort(host, strconv.Itoa(int(port.HostPort)))
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				problems = append(problems, fmt.Sprintf("port %s, wanted by %s, is already in use (%v)", addr, a.plan.Service, unwrapSyscall(err)))
				services = append(services, a.plan.Service)
				continue
			}
			ln.Close()
		}
	}
	if len(problems) > 0 {
		return &PortsInUseError{Problems: problems, Services: services}
	}
	return nil
}

// PortsInUseError lists published ports other programs hold.
type PortsInUseError struct {
	Problems []string
	// Services are the nodes whose ports are taken.
	Services []string
}

// ownContainers tells whether every service whose port is taken has a
// container of this lab already, which may be what holds the port.
func (e *PortsInUseError) ownContainers(existing map[string]engine.Container) bool {
	for _, s := range e.Services {
		if _, ok := existing[s]; !ok {
			return false
		}
	}
	return true
}

func (e *PortsInUseError) Error() string {
	return strings.Join(e.Problems, "\n") +
		"\nfree them, or publish the lab elsewhere: --port 7000 (data nodes) and --sentinel-port 27000 (sentinels)"
}

func unwrapSyscall(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		var inner interface{ Unwrap() error }
		if errors.As(op.Err, &inner) && inner.Unwrap() != nil {
			return inner.Unwrap()
		}
		return op.Err
	}
	return err
}
