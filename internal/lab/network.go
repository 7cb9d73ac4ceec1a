package lab

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
)

// networkProblem says when the lab network is gone: the nodes cannot run
// on it, and the CLI does not dial their in-network addresses.
func (s *Session) networkProblem(ctx context.Context) (string, error) {
	l := s.Lab
	nets, err := s.Engine.Networks(ctx)
	if err != nil {
		return "", err
	}
	for _, n := range nets {
		if n.Name == l.NetworkName() {
			return "", nil
		}
	}
	return fmt.Sprintf("network %s does not exist (removed by hand?); `sentinel-lab up` creates it again and recreates the containers that were on it", l.NetworkName()), nil
}

// missingNetworks names the project's networks that do not exist on the
// engine, which up is about to create.
func missingNetworks(networks []NetworkPlan, existing []engine.Network) map[string]bool {
	missing := map[string]bool{}
	for _, n := range networks {
		found := false
		for _, e := range existing {
			found = found || e.Name == n.Spec.Name
		}
		if !found && !n.External {
			missing[n.Spec.Name] = true
		}
	}
	return missing
}

// planWith plans as planActions does, and recreates the containers made on
// a network that is gone (`docker network rm` after stopping them): the
// engine knows a container's networks by id, so one created again under the
// same name does not let it start ("network 0209c4... not found"). Their
// data lives in data/, so nothing is lost.
func planWith(services []ServicePlan, existing map[string]engine.Container, missing map[string]bool) []action {
	actions := planActions(services, existing)
	if len(missing) == 0 {
		return actions
	}
	planned := map[string]int{}
	for i, a := range actions {
		planned[a.plan.Service] = i
	}
	for _, s := range services {
		c, ok := existing[s.Service]
		if !ok || !onAny(s.Spec, missing) {
			continue
		}
		a := action{kind: actRecreate, plan: s, existing: c, why: "its network was gone and is created again"}
		if i, ok := planned[s.Service]; ok {
			actions[i] = a
		} else {
			actions = append(actions, a)
		}
	}
	return actions
}

func onAny(spec engine.ContainerSpec, networks map[string]bool) bool {
	for _, ep := range spec.Endpoints {
		if networks[ep.Network] {
			return true
		}
	}
	return false
}

// networkMismatch refuses a network of the lab's name with another subnet,
// with the fix that works: down removes only networks labelled as the
// lab's, so a foreign one is for its owner to remove.
func networkMismatch(n NetworkPlan, found engine.Network) error {
	project := n.Spec.Labels[engine.LabelProject]
	if found.Labels[engine.LabelProject] != project {
		return fmt.Errorf("network %s exists with subnet %v, not %s, and is not this lab's (it has no %s=%s label), so `sentinel-lab down` leaves it alone; if nothing uses it, remove it (docker network rm %s) and run up again, or give the lab another --name",
			n.Spec.Name, found.Subnets, n.Spec.Subnet, engine.LabelProject, project, n.Spec.Name)
	}
	return fmt.Errorf("network %s exists with subnet %v, not %s; remove the lab with `sentinel-lab down` and run up again",
		n.Spec.Name, found.Subnets, n.Spec.Subnet)
}

// subnetText shows a network's subnet, which the engine chooses for a
// network of the override file that names none.
func subnetText(p netip.Prefix) string {
	if !p.IsValid() {
		return "subnet chosen by the engine"
	}
	return p.String()
}
