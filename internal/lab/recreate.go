package lab

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/sentinel-lab/sentinel-lab/internal/composefile"
	"github.com/sentinel-lab/sentinel-lab/internal/engine"
)

// Recreate creates again, as up does, the missing containers of the named
// services (`docker rm -f` of a node): from the compose files, on their
// networks (created again when gone), at their static addresses, with
// their data from data/.
func (s *Session) Recreate(ctx context.Context, services ...string) error {
	l := s.Lab
	if l.Config.Swarm() {
		for _, service := range services {
			if err := s.StartNode(ctx, service, engine.Container{}); err != nil {
				return err
			}
		}
		return nil
	}
	project, err := composefile.Load(ctx, l.Dir, l.Config.Name, l.ComposeEnv())
	if err != nil {
		return err
	}
	networks, err := PlanNetworks(project)
	if err != nil {
		return err
	}
	plans, err := PlanServices(project, composefile.Files(l.Dir))
	if err != nil {
		return err
	}
	if err := s.ensureNetworks(ctx, networks, &made{}); err != nil {
		return err
	}
	for _, service := range services {
		i := slices.IndexFunc(plans, func(p ServicePlan) bool { return p.Service == service })
		if i < 0 {
			return fmt.Errorf("%s is not in %s; restore it (delete it and run `sentinel-lab render`)", service, l.Dir.Rel(l.Dir.ComposeFile()))
		}
		if err := s.applyOne(ctx, action{kind: actCreate, plan: plans[i]}, &made{}); err != nil {
			return err
		}
	}
	return nil
}

// CheckExited fails, with its last lines, on the first of the named lab
// nodes (every node when none is named) whose container stopped on its
// own; while says when ("after revive started it").
func (s *Session) CheckExited(ctx context.Context, services []string, while string) error {
	l := s.Lab
	// One container a node: on a swarm, the stopped containers of a
	// node's earlier tasks stay beside the one that runs.
	list, err := s.Containers(ctx)
	if err != nil {
		return err
	}
	for _, c := range list {
		if _, isNode := l.Topology.Node(c.Service); !isNode {
			continue
		}
		if len(services) > 0 && !slices.Contains(services, c.Service) {
			continue
		}
		if c.State == engine.StateExited || c.State == "dead" {
			logs := s.LastLines(ctx, c, 15)
			return &ExitedError{Service: c.Service, State: c.State, Logs: logs, While: while}
		}
	}
	return nil
}

// exitHint says what to do about the causes of an exit a node's last lines
// show.
func exitHint(service, logs string) string {
	folder := "data/" + service + "/data"
	switch {
	case strings.Contains(logs, "Bad directive") || strings.Contains(logs, "Unrecognized sentinel configuration"):
		return "\nits conf has a line this Redis does not understand: fix the conf under " + folder +
			", or delete it to render it again; an image with a Redis older than 6.2 cannot run the lab"
	case strings.Contains(logs, "No such file or directory") && strings.Contains(logs, "config file"):
		return "\nits conf under " + folder + " is gone: `sentinel-lab up` renders it again"
	case strings.Contains(logs, "Permission denied"):
		return "\nthe containers' user cannot read or write " + folder +
			": fix its owner (sudo chown -R $(id -u):$(id -g) data/" + service + ") and its mode"
	}
	return ""
}
