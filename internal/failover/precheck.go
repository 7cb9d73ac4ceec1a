package failover

import (
	"context"
	"fmt"
	"strings"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// checkPromotable refuses, unless forced, to fault the master when no
// replica could take over: without one no failover can happen, and the
// fault takes the last data node down.
func checkPromotable(ctx context.Context, s *lab.Session, d *Discovery, force bool) error {
	if force {
		return nil
	}
	l, master := s.Lab, d.Master
	var infos []probe.NodeInfo
	for _, n := range l.Topology.DataNodes() {
		if n.Service != master.Service {
			infos = append(infos, s.Nodes().Node(ctx, n))
		}
	}
	if why := unpromotable(l, master, d.Containers, infos); why != nil {
		return &RefusedError{Reason: fmt.Sprintf("no replica can take over from the master %s (%s), so no failover can happen and killing it would take the lab's last data node down; `sentinel-lab revive` them first, or pass --force to see the failover not happen",
			master.Service, strings.Join(why, "; "))}
	}
	return nil
}

// unpromotable says why each replica cannot be promoted, or nil when one
// can: its container runs on the lab network and it replicates the master
// with its link up.
func unpromotable(l *lab.Lab, master topology.Node, containers map[string]engine.Container, infos []probe.NodeInfo) []string {
	var why []string
	for _, ni := range infos {
		c, ok := containers[ni.Service]
		_, on := c.Addresses[l.NetworkName()]
		switch {
		case !ok:
			why = append(why, ni.Service+" has no container")
		case c.State != engine.StateRunning:
			why = append(why, fmt.Sprintf("%s is down (container %s)", ni.Service, c.State))
		case !on:
			why = append(why, ni.Service+" is cut off from the lab network")
		case !ni.Reachable:
			why = append(why, fmt.Sprintf("%s does not answer (%s)", ni.Service, ni.Error))
		case ni.Role != topology.Replica || ni.MasterAddr != master.Addr.String():
			why = append(why, fmt.Sprintf("%s does not replicate %s (role %s)", ni.Service, master.Service, ni.Role))
		case ni.MasterLinkStatus != "up":
			why = append(why, fmt.Sprintf("%s's link to %s is %s", ni.Service, master.Service, ni.MasterLinkStatus))
		default:
			return nil
		}
	}
	return why
}
