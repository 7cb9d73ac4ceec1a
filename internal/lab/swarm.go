package lab

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// A lab on a swarm (--engine swarm) is one service of one task per node.
// Each task's container carries the labels a lab container carries, so
// whatever finds a node by its container (status, logs, export, cli, the
// faults that act on a container) finds the task's container as it is:
// only making, stopping, starting and removing nodes go through the
// services. On a one-host swarm the task containers are on the engine the
// CLI talks to; see docs/swarm.md for several hosts.

// SwarmServiceName is a node's service name on the swarm, as `docker stack
// deploy` names a stack's services.
func SwarmServiceName(project, service string) string { return project + "_" + service }

// SwarmSpec turns a node's container plan into its service: the same
// image, command, user, mounts, read-only root and dropped capabilities,
// on the lab's overlay network under its service name, with the stack
// labels so `docker stack ps/services <lab>` see it. A swarm gives a task
// no static address (moby#24170) and keeps no restart policy of its own.
func SwarmSpec(project string, plan ServicePlan, node topology.Node, placed Placed) engine.ServiceSpec {
	c := plan.Spec
	c.Labels = maps.Clone(c.Labels)
	c.Labels[engine.LabelStackNamespace] = project
	network := ""
	if len(c.Endpoints) > 0 {
		network = c.Endpoints[0].Network
	}
	// The names the nodes announce resolve through the swarm's DNS (the
	// aliases), not through hosts-file lines pinned to static addresses.
	c.Endpoints, c.Restart, c.Name, c.ExtraHosts = nil, "", "", nil
	if c.Hostname == "" {
		c.Hostname = plan.Service
	}
	aliases := []string{plan.Service}
	if node.Host != "" && node.Host != plan.Service {
		aliases = append(aliases, node.Host)
	}
	return engine.ServiceSpec{
		Name: SwarmServiceName(project, plan.Service),
		Labels: map[string]string{
			engine.LabelStackNamespace: project, engine.LabelStackImage: c.Image,
			engine.LabelProject: project, engine.LabelService: plan.Service, engine.LabelSpecHash: plan.Hash,
		},
		Container: c, Network: network, Aliases: aliases, Constraints: placed.Constraints, Replicas: 1,
		// A stopped task's name leaves the swarm's DNS, which then asks the
		// host's resolvers; where they do not answer, glibc's default wait
		// (5 s, twice) blocks a sentinel's only thread: it stops answering
		// and goes into TILT (seen here). One second, once, stays under
		// sentinel's 2 s TILT trigger.
		DNSOptions: []string{"timeout:1", "attempts:1"},
	}
}

// checkSwarm refuses a swarm lab on an engine that is not a swarm manager,
// before anything is written or created.
func (s *Session) checkSwarm(ctx context.Context) error {
	info, err := s.Engine.SwarmInfo(ctx)
	if err != nil {
		return err
	}
	if !info.Manager {
		return &engine.NotInSwarmError{Info: info}
	}
	return nil
}

// checkEngineKept refuses to start a lab on a swarm while it runs as
// containers, or the other way round: both would claim the same ports and
// names. Nothing has been created yet.
func checkEngineKept(l *Lab, existing map[string]engine.Container) error {
	for service, c := range existing {
		if _, isNode := l.Topology.Node(service); !isNode {
			continue
		}
		onSwarm := c.Labels[engine.LabelSwarmTask] != ""
		switch {
		case l.Config.Swarm() && !onSwarm:
			return fmt.Errorf("lab %q runs as containers (%s is one); run `sentinel-lab down` first to move it to the swarm (data/ is kept), or use --engine docker", l.Config.Name, c.Name)
		case !l.Config.Swarm() && onSwarm:
			return fmt.Errorf("lab %q runs on the swarm (%s is a task of it); run `sentinel-lab down` first to run it as containers (data/ is kept), or use --engine swarm", l.Config.Name, service)
		}
	}
	return nil
}

// checkPlacement refuses constraints for a node the lab has not, before
// anything is written.
func checkPlacement(l *Lab) error {
	p, err := config.ParsePlacement(l.Config.Placement)
	if err != nil {
		return err
	}
	for _, service := range p.Services() {
		if _, ok := l.Topology.Node(service); !ok {
			return fmt.Errorf("placement names %q, which is not a node of this lab (%s); fix --placement", service, strings.Join(l.Topology.Services(), ", "))
		}
	}
	return nil
}

// swarmServices lists the lab's services by node.
func (s *Session) swarmServices(ctx context.Context) (map[string]engine.Service, error) {
	list, err := s.Engine.Services(ctx, ProjectLabels(s.Lab.Config.Name))
	if err != nil {
		return nil, err
	}
	out := map[string]engine.Service{}
	for _, sv := range list {
		out[sv.Labels[engine.LabelService]] = sv
	}
	return out, nil
}

// swarmAction is what up does to one node's service.
type swarmAction struct {
	kind     actionKind
	spec     engine.ServiceSpec
	service  string
	existing engine.Service
	// container is the task's container, for an unpause.
	container engine.Container
}

// actScale brings a service scaled to 0 (a node stopped) back to 1.
const actScale actionKind = "scale"

// planSwarm compares the services the lab should have with those it has.
func (s *Session) planSwarm(ctx context.Context, services []ServicePlan, existing map[string]engine.Container) ([]swarmAction, error) {
	l := s.Lab
	p, err := config.ParsePlacement(l.Config.Placement)
	if err != nil {
		return nil, err
	}
	hosts, err := s.Engine.SwarmNodes(ctx)
	if err != nil {
		return nil, err
	}
	placed, notes := PlaceNodes(l.Topology, p, hosts)
	for _, n := range notes {
		s.Progress.Printf("note: %s", n)
	}
	have, err := s.swarmServices(ctx)
	if err != nil {
		return nil, err
	}
	var out []swarmAction
	for _, plan := range services {
		node, _ := l.Topology.Node(plan.Service)
		a := swarmAction{spec: SwarmSpec(l.Config.Name, plan, node, placed[plan.Service]), service: plan.Service}
		sv, ok := have[plan.Service]
		c, hasTask := existing[plan.Service]
		a.existing, a.container = sv, c
		switch {
		case !ok:
			a.kind = actCreate
		case sv.Labels[engine.LabelSpecHash] != plan.Hash:
			a.kind = actRecreate
		case sv.Replicas == 0:
			a.kind = actScale
		case hasTask && c.State == engine.StatePaused:
			a.kind = actUnpause
		case !hasTask || c.State != engine.StateRunning:
			a.kind = actStart
		default:
			continue
		}
		out = append(out, a)
	}
	return out, nil
}

// applySwarm creates, scales or restarts the services up planned, then
// waits until every task's container runs.
func (s *Session) applySwarm(ctx context.Context, actions []swarmAction, res *UpResult, m *made) error {
	old := map[string]bool{}
	for _, a := range actions {
		if err := s.oldTasks(ctx, a.existing.ID, old); err != nil {
			return err
		}
		if err := s.applySwarmOne(ctx, a, m); err != nil {
			return fmt.Errorf("%s: %w", a.service, err)
		}
		switch a.kind {
		case actCreate:
			res.Created = append(res.Created, a.service)
		case actRecreate:
			res.Recreated = append(res.Recreated, a.service)
		default:
			res.Started = append(res.Started, a.service)
		}
	}
	return s.waitTasks(ctx, actions, old)
}

// oldTasks adds the tasks a service has to old: a task made before a
// restart tells nothing of the new one.
func (s *Session) oldTasks(ctx context.Context, serviceID string, old map[string]bool) error {
	if serviceID == "" {
		return nil
	}
	tasks, err := s.Engine.Tasks(ctx, serviceID)
	for _, t := range tasks {
		old[t.ID] = true
	}
	return err
}

func (s *Session) applySwarmOne(ctx context.Context, a swarmAction, m *made) error {
	switch a.kind {
	case actUnpause:
		return s.Engine.Unpause(ctx, a.container.ID)
	case actScale:
		return s.Engine.ScaleService(ctx, a.existing.ID, 1)
	case actStart:
		return s.Engine.RestartService(ctx, a.existing.ID)
	case actRecreate:
		if err := s.Engine.RemoveService(ctx, a.existing.ID); err != nil {
			return err
		}
		if err := s.waitGone(ctx, []string{a.service}); err != nil {
			return err
		}
	}
	id, err := s.Engine.CreateService(ctx, a.spec)
	if err != nil {
		return err
	}
	m.service(id)
	where := "where the swarm puts it"
	if len(a.spec.Constraints) > 0 {
		where = fmt.Sprintf("placed by %v", a.spec.Constraints)
	}
	s.Progress.Node(a.service, "service "+a.spec.Name+" created, "+where)
	return nil
}
