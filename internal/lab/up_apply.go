package lab

import (
	"cmp"
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/engine"
)

// made records what one up created.
type made struct {
	mu         sync.Mutex
	containers []string
	networks   []string
	services   []string
}

func (m *made) service(id string) {
	m.mu.Lock()
	m.services = append(m.services, id)
	m.mu.Unlock()
}

func (m *made) container(id string) {
	m.mu.Lock()
	m.containers = append(m.containers, id)
	m.mu.Unlock()
}

func (m *made) empty() bool {
	return len(m.containers) == 0 && len(m.networks) == 0 && len(m.services) == 0
}

// rollback removes what a failed up created and says so with its error.
func (s *Session) rollback(m *made, cause error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, id := range m.services {
		if err := s.Engine.RemoveService(ctx, id); err != nil {
			return fmt.Errorf("%w\nremoving what this up created also failed: %v", cause, err)
		}
	}
	if len(m.services) > 0 {
		// The overlay network goes once the tasks' containers are gone.
		if err := s.waitGone(ctx, s.Lab.Topology.Services()); err != nil {
			return fmt.Errorf("%w\nremoving what this up created also failed: %v", cause, err)
		}
	}
	for _, id := range m.containers {
		if err := s.Engine.Remove(ctx, id); err != nil {
			return fmt.Errorf("%w\nremoving what this up created also failed: %v", cause, err)
		}
	}
	for _, n := range m.networks {
		if err := s.Engine.RemoveNetwork(ctx, n); err != nil {
			return fmt.Errorf("%w\nremoving what this up created also failed: %v", cause, err)
		}
	}
	return &RolledBackError{Err: cause, Containers: len(m.containers) + len(m.services), Networks: len(m.networks)}
}

// RolledBackError is a failed up that removed what it had created.
type RolledBackError struct {
	Err                  error
	Containers, Networks int
}

func (e *RolledBackError) Error() string {
	return fmt.Sprintf("%v\n(removed the %d containers and %d networks this up created; --retain keeps them to inspect)",
		e.Err, e.Containers, e.Networks)
}

func (e *RolledBackError) Unwrap() error { return e.Err }

func (s *Session) ensureNetworks(ctx context.Context, networks []NetworkPlan, m *made) error {
	existing, err := s.Engine.Networks(ctx)
	if err != nil {
		return err
	}
	for _, n := range networks {
		var found *engine.Network
		for i := range existing {
			if existing[i].Name == n.Spec.Name {
				found = &existing[i]
			}
		}
		switch {
		case found != nil && n.Spec.Subnet.IsValid() && !containsPrefix(found.Subnets, n.Spec.Subnet):
			return networkMismatch(n, *found)
		case found != nil:
		case n.External:
			return fmt.Errorf("external network %s does not exist; create it first (docker network create %s)", n.Spec.Name, n.Spec.Name)
		default:
			if err := s.Engine.CreateNetwork(ctx, n.Spec); err != nil {
				return err
			}
			m.networks = append(m.networks, n.Spec.Name)
			s.Progress.Printf("created network %s (%s)", n.Spec.Name, subnetText(n.Spec.Subnet))
		}
	}
	return nil
}

func containsPrefix(list []netip.Prefix, p netip.Prefix) bool {
	for _, q := range list {
		if q == p {
			return true
		}
	}
	return false
}

// apply runs every action concurrently and returns the first failure; the
// calls under way finish (an engine call is never cut short, see
// applyOne). Containers made so far carry the lab's labels, so `up` again
// completes the lab and `down` removes them.
func (s *Session) apply(ctx context.Context, actions []action, res *UpResult, m *made) error {
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		firstErr error
	)
	record := func(list *[]string, service string) {
		mu.Lock()
		*list = append(*list, service)
		mu.Unlock()
	}
	for _, a := range actions {
		wg.Go(func() {
			err := s.applyOne(ctx, a, m)
			mu.Lock()
			if err != nil && firstErr == nil {
				firstErr = err
			}
			mu.Unlock()
			if err != nil {
				return
			}
			switch a.kind {
			case actCreate:
				record(&res.Created, a.plan.Service)
			case actRecreate:
				record(&res.Recreated, a.plan.Service)
			default:
				record(&res.Started, a.plan.Service)
			}
		})
	}
	wg.Wait()
	return firstErr
}

// engineCallTimeout bounds an engine call that an interrupt does not cut
// short.
const engineCallTimeout = time.Minute

// applyOne brings one service's container to running. The engine calls
// that make or start a container are not cancelled by an interrupt: the
// daemon rolls back a create whose request was cut short, and a next up
// that listed the container meanwhile would start one that is going away.
// Ctrl-C stops up between calls instead.
func (s *Session) applyOne(ctx context.Context, a action, m *made) error {
	call, cancel := context.WithTimeout(context.WithoutCancel(ctx), engineCallTimeout)
	defer cancel()
	switch a.kind {
	case actUnpause:
		if err := s.Engine.Unpause(call, a.existing.ID); err != nil {
			return err
		}
		s.Progress.Node(a.plan.Service, "running: unpaused")
		return nil
	case actStart:
		err := s.Engine.Start(call, a.existing.ID)
		if err == nil {
			s.Progress.Node(a.plan.Service, fmt.Sprintf("running: started again, at its address %s", staticAddress(a.plan.Spec)))
			return nil
		}
		// A container listed a moment ago can be gone: one another up's
		// cut-short create left, removed by the daemon (SIGKILL leaves no
		// choice), or one removed by hand. It is created again.
		if !engine.IsNotFound(err) {
			return fmt.Errorf("%s: %w", a.plan.Service, err)
		}
	case actRecreate:
		if err := s.Engine.Remove(call, a.existing.ID); err != nil {
			return err
		}
	}
	if err := s.createAndStart(ctx, call, a, m); err != nil {
		return fmt.Errorf("%s: %w", a.plan.Service, err)
	}
	verb := "created and started"
	if a.kind == actRecreate {
		verb = "recreated (" + cmp.Or(a.why, "its configuration changed") + ")"
	}
	s.Progress.Node(a.plan.Service, fmt.Sprintf("running: %s at %s", verb, staticAddress(a.plan.Spec)))
	return nil
}

// createAndStart creates a's container and starts it. A container that
// vanishes between the two (the daemon finishing the rollback of a cut
// short create that held the name) is created again, a few times at most.
func (s *Session) createAndStart(ctx, call context.Context, a action, m *made) error {
	for attempt := 1; ; attempt++ {
		id, err := s.Engine.CreateContainer(call, a.plan.Spec)
		if err != nil && strings.Contains(err.Error(), "is already in use") {
			// An interrupted up's create can finish in the daemon after we
			// listed the containers: take it over if it is this service's.
			id, err = s.adopt(call, a, err)
		} else if err == nil {
			m.container(id)
		}
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err() // interrupted: the container is made, the next up starts it
		}
		err = s.Engine.Start(call, id)
		switch {
		case err == nil:
			return nil
		case engine.IsNotFound(err) && attempt < 3:
			continue
		case strings.Contains(err.Error(), "executable file not found") && a.plan.Spec.Labels[engine.LabelRole] != "":
			return fmt.Errorf("image %s has no redis-server, so it cannot run a lab node; use a Redis (>= 6.2) or Valkey image, such as --image %s, or build one from a server binary with `sentinel-lab image build --redis-server PATH`",
				a.plan.Spec.Image, config.DefaultImage)
		}
		return err
	}
}

// adopt finds the container of a's service that a create conflicted with.
// One created from the same spec is used as it is; another is replaced.
func (s *Session) adopt(ctx context.Context, a action, conflict error) (string, error) {
	labels := map[string]string{engine.LabelProject: a.plan.Spec.Labels[engine.LabelProject], engine.LabelService: a.plan.Service}
	var list []engine.Container
	// The daemon holds the name from the start of a create but lists the
	// container only once it is made: give it a moment.
	for try := 0; try < 50 && len(list) == 0; try++ {
		var err error
		if list, err = s.Engine.Containers(ctx, labels); err != nil {
			return "", err
		}
		if len(list) == 0 {
			select {
			case <-ctx.Done():
				return "", ctx.Err()
			case <-s.Time().After(100 * time.Millisecond):
			}
		}
	}
	for _, c := range list {
		if c.Name != a.plan.Spec.Name {
			continue
		}
		if c.Labels[engine.LabelSpecHash] == a.plan.Hash {
			return c.ID, nil
		}
		if err := s.Engine.Remove(ctx, c.ID); err != nil {
			return "", err
		}
		return s.Engine.CreateContainer(ctx, a.plan.Spec)
	}
	return "", conflict // a container of something else holds the name
}

func staticAddress(spec engine.ContainerSpec) string {
	for _, ep := range spec.Endpoints {
		if ep.IPv4.IsValid() {
			return ep.IPv4.String()
		}
	}
	return "an address the engine picks"
}
