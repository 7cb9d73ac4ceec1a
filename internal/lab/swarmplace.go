package lab

import (
	"fmt"
	"strings"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// Placed is where one node of a swarm lab may run.
type Placed struct {
	// Host is the swarm host spread placement chose ("" when the swarm
	// chooses).
	Host string
	// Constraints are the service's swarm placement constraints.
	Constraints []string
}

// PlaceNodes decides where every node of the lab runs on a swarm of the
// given hosts. Spread puts the master on the first host, the replicas on
// the others (never with the master while there are two hosts), and the
// sentinels one a host in turn (no two on one host while there are as many
// hosts as sentinels): the three-box layout a partition between hosts is
// meant for. Constraints of the user replace the choice for their services;
// "any" leaves the rest to the swarm. Notes say where spreading fell short.
func PlaceNodes(lab *topology.Lab, p config.Placement, hosts []engine.SwarmNode) (map[string]Placed, []string) {
	var ready []engine.SwarmNode
	for _, h := range hosts {
		if h.Ready {
			ready = append(ready, h)
		}
	}
	out := map[string]Placed{}
	byHost := map[string][]string{}
	pin := func(n topology.Node, h engine.SwarmNode) {
		out[n.Service] = Placed{Host: h.Hostname, Constraints: []string{"node.id==" + h.ID}}
		byHost[h.Hostname] = append(byHost[h.Hostname], n.Service)
	}
	// One host (or none known) leaves nothing to choose.
	spread := p.Mode == config.PlacementSpread && len(ready) > 1
	data, sentinels := lab.DataNodes(), lab.Sentinels()
	for i, n := range data {
		switch {
		case !spread:
			out[n.Service] = Placed{}
		case i == 0:
			pin(n, ready[0])
		default:
			pin(n, ready[1+(i-1)%(len(ready)-1)])
		}
	}
	for j, n := range sentinels {
		if spread {
			pin(n, ready[j%len(ready)])
		} else {
			out[n.Service] = Placed{}
		}
	}
	for service, cs := range p.Constraints {
		out[service] = Placed{Constraints: cs}
	}
	var notes []string
	if spread && len(sentinels) > len(ready) {
		notes = append(notes, fmt.Sprintf("%d sentinels on %d swarm hosts: some share a host (%s)", len(sentinels), len(ready), sharing(byHost, lab)))
	}
	return out, notes
}

// sharing lists the hosts that hold more than one sentinel.
func sharing(byHost map[string][]string, lab *topology.Lab) string {
	var parts []string
	for _, h := range sortedKeys(byHost) {
		var sent []string
		for _, s := range byHost[h] {
			if n, ok := lab.Node(s); ok && n.IsSentinel() {
				sent = append(sent, s)
			}
		}
		if len(sent) > 1 {
			parts = append(parts, h+": "+strings.Join(sent, ", "))
		}
	}
	return strings.Join(parts, "; ")
}
