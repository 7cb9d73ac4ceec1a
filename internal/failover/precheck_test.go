package failover

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
)

// Issue 17: kill-master with no live replica killed the last data node
// without a word. It says up front why no replica can take over.
func TestKillMasterNeedsAReplicaThatCanTakeOver(t *testing.T) {
	l := testLab(t)
	master, _ := l.Topology.Node("master")
	containers := map[string]engine.Container{}
	var infos []probe.NodeInfo
	for _, n := range l.Topology.DataNodes() {
		containers[n.Service] = engine.Container{Service: n.Service, State: engine.StateRunning,
			Addresses: map[string]netip.Addr{l.NetworkName(): n.Addr.Addr()}}
		if n.Service != "master" {
			infos = append(infos, probe.NodeInfo{Service: n.Service, Reachable: true, Role: "replica", MasterAddr: master.Addr.String(), MasterLinkStatus: "up"})
		}
	}
	if why := unpromotable(l, master, containers, infos); why != nil {
		t.Errorf("two linked replicas: %v", why)
	}

	containers["node-1"] = engine.Container{Service: "node-1", State: engine.StateExited}
	infos[0] = probe.NodeInfo{Service: "node-1", Error: "connection refused"}
	if why := unpromotable(l, master, containers, infos); why != nil {
		t.Errorf("node-2 can still take over: %v", why)
	}

	infos[1].MasterLinkStatus = "down"
	why := unpromotable(l, master, containers, infos)
	if got := strings.Join(why, "; "); got != "node-1 is down (container exited); node-2's link to master is down" {
		t.Errorf("got %q", got)
	}
}
