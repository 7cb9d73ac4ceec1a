package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// inspection is what logs, cli and export work with: the lab, its
// environment and the engine's inspection side.
type inspection struct {
	lab *lab.Lab
	env *lab.Session
	ins engine.Inspector
	// engine describes the engine, as Ping does.
	engine string
}

// openInspection opens the lab and connects to the engine.
func openInspection(ctx context.Context, g *globalOptions, f *Factory) (*inspection, error) {
	l, err := openLab(g)
	if err != nil {
		return nil, err
	}
	env, err := f.Env(nil)
	if err != nil {
		return nil, err
	}
	ins, ok := env.Engine.(engine.Inspector)
	if !ok {
		return nil, fmt.Errorf("the container engine %T cannot read files, output or run commands in containers", env.Engine)
	}
	about, err := env.Engine.Ping(ctx)
	if err != nil {
		return nil, err
	}
	return &inspection{lab: l, env: env, ins: ins, engine: about}, nil
}

// containers lists the lab's containers by service.
func (in *inspection) containers(ctx context.Context) (map[string]engine.Container, error) {
	return in.env.Containers(ctx, in.lab)
}

// containerIDs lists the lab's container ids by service.
func (in *inspection) containerIDs(ctx context.Context) (map[string]string, error) {
	cs, err := in.containers(ctx)
	if err != nil {
		return nil, err
	}
	ids := map[string]string{}
	for s, c := range cs {
		ids[s] = c.ID
	}
	return ids, nil
}

// selectNodes finds the named nodes of the lab, all of them when none is
// named, or says which names are not the lab's.
func selectNodes(t *topology.Lab, services []string) ([]topology.Node, error) {
	if len(services) == 0 {
		return t.Nodes, nil
	}
	var out []topology.Node
	seen := map[string]bool{}
	for _, s := range services {
		n, ok := t.Node(s)
		if !ok {
			return nil, unknownService(t, s)
		}
		if !seen[s] {
			out = append(out, n)
			seen[s] = true
		}
	}
	return out, nil
}

func unknownService(t *topology.Lab, s string) error {
	return usageErrorf("lab %q has no service %q; its services are %s", t.Name, s, strings.Join(t.Services(), ", "))
}

func services(nodes []topology.Node) []string {
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = n.Service
	}
	return out
}
