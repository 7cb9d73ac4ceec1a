package failover

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/fault"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
)

// agreeing is a snapshot in which every sentinel names master, and every
// data node answers: master as master, the others as its replicas.
func agreeing(l *lab.Lab) probe.Snapshot {
	m, _ := l.Topology.Node("master")
	var s probe.Snapshot
	for _, n := range l.Topology.DataNodes() {
		ni := probe.NodeInfo{Service: n.Service, Address: n.Addr.String(), Reachable: true, Role: "replica", MasterAddr: m.Addr.String()}
		if n.Service == "master" {
			ni.Role, ni.MasterAddr = "master", ""
		}
		s.Nodes = append(s.Nodes, ni)
	}
	for _, n := range l.Topology.Sentinels() {
		s.Sentinels = append(s.Sentinels, probe.SentinelView{Service: n.Service, Address: n.Addr.String(), Reachable: true, MasterAddr: m.Addr.String()})
	}
	return s
}

// Issue 17: revive said "Nothing to revive" while a sentinel's container
// was missing (docker rm -f) and while two nodes answered role:master. It
// finds what status finds.
func TestReviveFindsMissingContainersAndStrayMasters(t *testing.T) {
	l := testLab(t)
	containers := map[string]engine.Container{}
	for _, n := range l.Topology.Nodes {
		containers[n.Service] = engine.Container{Service: n.Service, State: engine.StateRunning,
			Addresses: map[string]netip.Addr{l.NetworkName(): n.Addr.Addr()}}
	}
	delete(containers, "sentinel-2")
	snap := agreeing(l)
	snap.Nodes[1].Role, snap.Nodes[1].MasterAddr = "master", "" // node-1

	got, err := reviveFaults(l, containers, snap, time.Now())
	if err != nil {
		t.Fatal(err)
	}

	want := []fault.Fault{{Service: "sentinel-2", Kind: FaultMissing}, {Service: "node-1", Kind: FaultStrayMaster}}
	if !slices.Equal(got, want) {
		t.Errorf("faults %v, want %v", got, want)
	}
	if s := started(got); !slices.Equal(s, []string{"sentinel-2"}) {
		t.Errorf("started %v, want the recreated sentinel watched for an exit", s)
	}

	// A cut-off old master answers role:master too; it is revived as cut
	// off, not counted twice.
	c := containers["node-1"]
	c.Addresses = map[string]netip.Addr{}
	containers["node-1"] = c
	if got, _ := reviveFaults(l, containers, snap, time.Now()); !slices.Equal(got, []fault.Fault{{Service: "node-1", Kind: fault.CutOff}, {Service: "sentinel-2", Kind: FaultMissing}}) {
		t.Errorf("with node-1 cut off: %v", got)
	}
}
