package lab

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
)

// swarmTaskTimeout bounds the wait for a task to run: a host may pull the
// image first.
const swarmTaskTimeout = 2 * time.Minute

// waitTasks waits until the newest task of every service up touched runs,
// and fails with the swarm's reason when one failed or was rejected (no
// host fits its constraints, its data folder is missing on its host).
// Tasks in old were there before and are not waited for.
func (s *Session) waitTasks(ctx context.Context, actions []swarmAction, old map[string]bool) error {
	hosts := s.hostNames(ctx)
	deadline := s.Now().Add(swarmTaskTimeout)
	pending := map[string]bool{}
	for _, a := range actions {
		pending[a.service] = true
	}
	for len(pending) > 0 {
		have, err := s.swarmServices(ctx)
		if err != nil {
			return err
		}
		for _, service := range sortedKeys(pending) {
			tasks, err := s.Engine.Tasks(ctx, have[service].ID)
			if err != nil {
				return err
			}
			tasks = slices.DeleteFunc(tasks, func(t engine.Task) bool { return old[t.ID] })
			if len(tasks) == 0 {
				continue
			}
			t := tasks[0]
			switch t.State {
			case "running":
				delete(pending, service)
				s.Progress.Node(service, fmt.Sprintf("running on swarm host %s (its data: %s there)", hosts[t.NodeID], s.Lab.Dir.NodeDir(service)))
			case "failed", "rejected", "orphaned":
				return fmt.Errorf("%s: its task %s on host %s: %s (a host needs the lab directory at %s, and the image; see docs/swarm.md)",
					service, t.State, hosts[t.NodeID], t.Err, s.Lab.Dir.Root)
			}
		}
		if len(pending) == 0 {
			break
		}
		if s.Now().After(deadline) {
			return fmt.Errorf("the swarm did not run %v within %s; `docker service ps %s` says why", sortedKeys(pending), swarmTaskTimeout,
				SwarmServiceName(s.Lab.Config.Name, sortedKeys(pending)[0]))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.Time().After(s.interval()):
		}
	}
	return nil
}

// hostNames maps swarm node ids to hostnames; empty when they cannot be
// listed (the names only decorate progress).
func (s *Session) hostNames(ctx context.Context) map[string]string {
	out := map[string]string{}
	nodes, _ := s.Engine.SwarmNodes(ctx)
	for _, n := range nodes {
		out[n.ID] = n.Hostname
	}
	return out
}

// waitGone waits until the named nodes have no container left: the swarm
// removes a removed service's task containers on its own time, and the
// overlay network cannot go while they are attached.
func (s *Session) waitGone(ctx context.Context, services []string) error {
	return s.waitNoContainer(ctx, services, false)
}

// waitNoContainer waits until the named nodes have no container (only
// running: none running or paused).
func (s *Session) waitNoContainer(ctx context.Context, services []string, running bool) error {
	deadline := s.Now().Add(time.Minute)
	for {
		list, err := s.Engine.Containers(ctx, ProjectLabels(s.Lab.Config.Name))
		if err != nil {
			return err
		}
		left := 0
		for _, c := range list {
			live := c.State == engine.StateRunning || c.State == engine.StatePaused
			if slices.Contains(services, c.Service) && (live || !running) {
				left++
			}
		}
		if left == 0 {
			return nil
		}
		if s.Now().After(deadline) {
			return fmt.Errorf("the swarm still has %d task containers of %v a minute after it was told to stop them", left, services)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.Time().After(s.interval()):
		}
	}
}

// downSwarm removes the lab's services, the sentinels' first (so they start
// no failover while the data nodes go), each group's task containers gone
// before the next. It returns the nodes removed.
func (s *Session) downSwarm(ctx context.Context) ([]string, error) {
	have, err := s.swarmServices(ctx)
	if err != nil {
		return nil, err
	}
	var sentinels, others []string
	for service := range have {
		if n, ok := s.Lab.Topology.Node(service); ok && n.IsSentinel() {
			sentinels = append(sentinels, service)
		} else {
			others = append(others, service)
		}
	}
	for _, group := range [][]string{sentinels, others} {
		for _, service := range group {
			if err := s.Engine.RemoveService(ctx, have[service].ID); err != nil {
				return nil, err
			}
		}
		if err := s.waitGone(ctx, group); err != nil {
			return nil, err
		}
	}
	all := append(sentinels, others...)
	slices.Sort(all)
	return all, nil
}

// downServices removes a swarm lab's services for down, and lists what is
// left of the lab for down to remove as for containers (helpers, a
// container of the project made by hand).
func (s *Session) downServices(ctx context.Context, res *DownResult) ([]engine.Container, error) {
	var err error
	if res.Containers, err = s.downSwarm(ctx); err != nil {
		return nil, err
	}
	for _, service := range res.Containers {
		s.Progress.Node(service, "service removed")
	}
	return s.allContainers(ctx)
}

// remoteTasks says which nodes run on another host of the swarm: this
// engine has no container of theirs, so what acts on a container cannot
// reach them (docs/swarm.md).
func (s *Session) remoteTasks(ctx context.Context, local map[string]engine.Container) []string {
	info, err := s.Engine.SwarmInfo(ctx)
	if err != nil || !info.Manager {
		return nil
	}
	have, err := s.swarmServices(ctx)
	if err != nil {
		return nil
	}
	hosts := s.hostNames(ctx)
	var out []string
	for _, service := range s.Lab.Topology.Services() {
		if _, ok := local[service]; ok {
			continue
		}
		tasks, err := s.Engine.Tasks(ctx, have[service].ID)
		if err != nil || len(tasks) == 0 || tasks[0].State != "running" || tasks[0].NodeID == info.NodeID {
			continue
		}
		out = append(out, fmt.Sprintf("%s runs on swarm host %s, whose engine this one is not: logs, cli, export and the faults that act on its container (kill, pause, disconnect, loss, delay, sleep) need that host's engine (--node-host is not wired yet; see docs/swarm.md); stop and revive work through the manager",
			service, hosts[tasks[0].NodeID]))
	}
	return out
}

// StartNode starts a node that is stopped: its container on an engine of
// containers; on a swarm a new task (a killed task is not restarted, so
// the node stays down until revive), or one task again for a service
// scaled to 0.
func (s *Session) StartNode(ctx context.Context, service string, c engine.Container) error {
	if !s.Lab.Config.Swarm() {
		return s.Engine.Start(ctx, c.ID)
	}
	have, err := s.swarmServices(ctx)
	if err != nil {
		return err
	}
	sv, ok := have[service]
	if !ok {
		return fmt.Errorf("%s has no service on the swarm; `sentinel-lab up` creates it again", service)
	}
	old := map[string]bool{}
	if err := s.oldTasks(ctx, sv.ID, old); err != nil {
		return err
	}
	if sv.Replicas == 0 {
		err = s.Engine.ScaleService(ctx, sv.ID, 1)
	} else {
		err = s.Engine.RestartService(ctx, sv.ID)
	}
	if err != nil {
		return err
	}
	return s.waitTasks(ctx, []swarmAction{{service: service}}, old)
}

// StopNode stops a node of a swarm lab the swarm's way: its service scaled
// to 0 (the task shut down with SIGTERM, its container removed).
func (s *Session) StopNode(ctx context.Context, service string) error {
	have, err := s.swarmServices(ctx)
	if err != nil {
		return err
	}
	sv, ok := have[service]
	if !ok {
		return fmt.Errorf("%s has no service on the swarm; `sentinel-lab up` creates it again", service)
	}
	if err := s.Engine.ScaleService(ctx, sv.ID, 0); err != nil {
		return err
	}
	return s.waitNoContainer(ctx, []string{service}, true)
}
