package failover

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// trackerLab is the default lab: master, node-1, node-2, sentinel-1..3.
func trackerLab(t *testing.T) *topology.Lab {
	t.Helper()
	cfg, err := config.Load(config.Layers{Dir: "/labs/track", UID: 1000, GID: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return topology.New(cfg, netip.MustParsePrefix("172.28.5.0/24"))
}

// pollAt builds a poll at ms after t0: sentinels naming addresses
// ("sentinel-1": node), silent ones, and the data nodes' INFO.
type pollAt struct {
	ms     int64
	named  map[string]string // sentinel -> service named
	silent []string
	nodes  map[string]probe.NodeInfo
}

func (p pollAt) poll(l *topology.Lab, t0 time.Time) Poll {
	at := t0.Add(time.Duration(p.ms) * time.Millisecond)
	out := Poll{At: at, Named: map[string]string{}, Silent: p.silent, NodesAt: at, Nodes: p.nodes}
	for s, service := range p.named {
		n, _ := l.Node(service)
		out.Named[s] = n.Addr.String()
	}
	return out
}

func master(l *topology.Lab, service string) probe.NodeInfo {
	n, _ := l.Node(service)
	return probe.NodeInfo{Service: service, Address: n.Addr.String(), Reachable: true, Role: topology.Master}
}

func replicaOf(l *topology.Lab, service, of string, link string) probe.NodeInfo {
	n, _ := l.Node(service)
	m, _ := l.Node(of)
	return probe.NodeInfo{Service: service, Address: n.Addr.String(), Reachable: true, Role: topology.Replica, MasterAddr: m.Addr.String(), MasterLinkStatus: link}
}

// The definition of a converged failover, phase by phase: sentinel-2 names
// node-1 at 3.1 s, node-1 answers role:master at 3.15 s, all agree and
// node-2 follows at 3.2 s.
func TestTrackerPhases(t *testing.T) {
	l := trackerLab(t)
	old := l.InitialMaster()
	t0 := time.Unix(1000, 0)
	tr := NewTracker(l, old, t0)
	all := func(s string) map[string]string {
		return map[string]string{"sentinel-1": s, "sentinel-2": s, "sentinel-3": s}
	}
	polls := []pollAt{
		{ms: 20, named: all("master")},
		{ms: 3100, named: map[string]string{"sentinel-1": "master", "sentinel-2": "node-1", "sentinel-3": "master"},
			nodes: map[string]probe.NodeInfo{"node-1": replicaOf(l, "node-1", "master", "down"), "node-2": replicaOf(l, "node-2", "master", "down")}},
		{ms: 3150, named: map[string]string{"sentinel-1": "master", "sentinel-2": "node-1", "sentinel-3": "master"},
			nodes: map[string]probe.NodeInfo{"node-1": master(l, "node-1"), "node-2": replicaOf(l, "node-2", "master", "down")}},
		{ms: 3200, named: all("node-1"),
			nodes: map[string]probe.NodeInfo{"node-1": master(l, "node-1"), "node-2": replicaOf(l, "node-2", "node-1", "up")}},
	}
	for i, p := range polls {
		if i > 0 && !tr.WantsNodes(p.poll(l, t0).Named) && p.nodes != nil {
			t.Errorf("poll at %d ms: the tracker does not ask the nodes although a sentinel names a new master", p.ms)
		}
		tr.Observe(p.poll(l, t0))
		if tr.Converged() != (i == len(polls)-1) {
			t.Errorf("after the poll at %d ms converged is %v", p.ms, tr.Converged())
		}
	}
	want := Phases{FailoverMS: 3100, FirstSentinel: "sentinel-2", AgreedMS: 3200, PromotedMS: 3150, ReplicasLinkedMS: 3200, ConvergedMS: 3200}
	if got := tr.Phases(); got != want {
		t.Errorf("phases %+v\nwant   %+v", got, want)
	}
	if nm, ok := tr.NewMaster(); !ok || nm.Service != "node-1" {
		t.Errorf("new master %v %v, want node-1", nm, ok)
	}
	if !tr.ConvergedAt().Equal(t0.Add(3200 * time.Millisecond)) {
		t.Errorf("converged at %v", tr.ConvergedAt())
	}
	if tr.WantsNodes(all("master")) != true {
		t.Error("once a candidate is known the nodes are always asked")
	}
}

// Agreement needs every answering sentinel, and a majority of all of them;
// a sentinel silent for over a second is lost and no longer waited for.
func TestTrackerAgreementAndLostSentinels(t *testing.T) {
	l := trackerLab(t)
	t0 := time.Unix(1000, 0)
	tr := NewTracker(l, l.InitialMaster(), t0)
	nodes := map[string]probe.NodeInfo{"node-1": master(l, "node-1"), "node-2": replicaOf(l, "node-2", "node-1", "up")}
	steps := []pollAt{
		{ms: 1000, named: map[string]string{"sentinel-1": "node-1"}, silent: []string{"sentinel-2", "sentinel-3"}, nodes: nodes},
		{ms: 1500, named: map[string]string{"sentinel-1": "node-1", "sentinel-2": "node-1"}, silent: []string{"sentinel-3"}, nodes: nodes},
		{ms: 2600, named: map[string]string{"sentinel-1": "node-1", "sentinel-2": "node-1"}, silent: []string{"sentinel-3"}, nodes: nodes},
	}
	var notes []string
	for _, p := range steps {
		notes = append(notes, tr.Observe(p.poll(l, t0))...)
	}
	ph := tr.Phases()
	// One sentinel of three agreeing is no majority; two of the two that
	// answer are.
	if ph.FailoverMS != 1000 || ph.AgreedMS != 1500 {
		t.Errorf("failover %d, agreed %d; want 1000 and 1500", ph.FailoverMS, ph.AgreedMS)
	}
	if got := tr.Lost(); !slices.Equal(got, []string{"sentinel-3"}) {
		t.Errorf("lost %v, want sentinel-3 (silent from 1.0 s to 2.6 s)", got)
	}
	if !slices.Contains(notes, "sentinel-3 stopped answering") || !slices.Contains(notes, "all 2 answering sentinels agree on node-1") {
		t.Errorf("notes %q", notes)
	}
}

// A second failover before convergence: the sentinels agree on node-1,
// then on node-2; node-2's phases are the ones reported.
func TestTrackerFollowsASecondAgreement(t *testing.T) {
	l := trackerLab(t)
	t0 := time.Unix(1000, 0)
	tr := NewTracker(l, l.InitialMaster(), t0)
	all := func(s string) map[string]string {
		return map[string]string{"sentinel-1": s, "sentinel-2": s, "sentinel-3": s}
	}
	down := probe.NodeInfo{Service: "node-1", Error: "refused"}
	tr.Observe(pollAt{ms: 1000, named: all("node-1"), nodes: map[string]probe.NodeInfo{"node-1": down, "node-2": replicaOf(l, "node-2", "master", "down")}}.poll(l, t0))
	tr.Observe(pollAt{ms: 2000, named: all("node-2"), nodes: map[string]probe.NodeInfo{"node-1": down, "node-2": master(l, "node-2")}}.poll(l, t0))
	ph := tr.Phases()
	if nm, _ := tr.NewMaster(); nm.Service != "node-2" || ph.FailoverMS != 2000 || ph.AgreedMS != 2000 || ph.PromotedMS != 2000 || ph.ReplicasLinkedMS != 2000 {
		t.Errorf("new master %s, phases %+v; want node-2 everything at 2000 (node-1 is down, so no replica is left to link)", nm.Service, ph)
	}
}
