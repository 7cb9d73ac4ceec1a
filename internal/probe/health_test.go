package probe_test

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// labOf is the default lab: master, node-1, node-2, sentinel-1..3 in
// 172.28.5.0/24.
func labOf(t *testing.T) *topology.Lab {
	t.Helper()
	cfg, err := config.Load(config.Layers{Dir: "/labs/probe", UID: 1000, GID: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return topology.New(cfg, netip.MustParsePrefix("172.28.5.0/24"))
}

// agreeOn is a healthy snapshot in which master is the master: every
// other data node is an online replica of it, and every sentinel names it,
// sees every replica and every other sentinel, and has quorum.
func agreeOn(lab *topology.Lab, master string) probe.Snapshot {
	m, _ := lab.Node(master)
	var s probe.Snapshot
	var entries []probe.ReplicaEntry
	var peers []probe.PeerState
	for _, n := range lab.DataNodes() {
		if n.Service != master {
			entries = append(entries, probe.ReplicaEntry{Addr: n.Addr.String(), State: "online"})
			peers = append(peers, probe.PeerState{Address: n.Addr.String(), Flags: "slave"})
		}
	}
	for _, n := range lab.DataNodes() {
		ni := probe.NodeInfo{Service: n.Service, Address: n.Addr.String(), Reachable: true, Role: "replica", MasterAddr: m.Addr.String()}
		if n.Service == master {
			ni = probe.NodeInfo{Service: n.Service, Address: n.Addr.String(), Reachable: true, Role: "master", Replicas: entries}
		}
		s.Nodes = append(s.Nodes, ni)
	}
	for _, v := range lab.Sentinels() {
		var others []probe.PeerState
		for _, o := range lab.Sentinels() {
			if o.Service != v.Service {
				others = append(others, probe.PeerState{Address: o.Addr.String(), Flags: "sentinel"})
			}
		}
		s.Sentinels = append(s.Sentinels, probe.SentinelView{
			Service: v.Service, Address: v.Addr.String(), Reachable: true, MasterAddr: m.Addr.String(), Flags: "master",
			Replicas: slices.Clone(peers), Sentinels: others, QuorumOK: true, QuorumReply: "OK 3 usable Sentinels",
		})
	}
	return s
}

func TestEvaluate(t *testing.T) {
	lab := labOf(t)
	addr := func(service string) string { n, _ := lab.Node(service); return n.Addr.String() }
	cases := []struct {
		name   string
		change func(s *probe.Snapshot)
		// master is the failover's new master ("" for the initial one).
		master     string
		wantMaster string // "" when no master is agreed on
		problems   []string
	}{
		{name: "healthy lab", wantMaster: "master"},
		{
			name:       "after a failover the old master counts as a replica",
			master:     "node-1",
			wantMaster: "node-1",
		},
		{
			name:       "after a failover, the old master not back yet",
			master:     "node-1",
			change:     func(s *probe.Snapshot) { s.Nodes[1].Replicas = s.Nodes[1].Replicas[1:] },
			wantMaster: "node-1",
			problems:   []string{"master is not yet a connected replica of node-1"},
		},
		{
			name:     "sentinels disagree",
			change:   func(s *probe.Snapshot) { s.Sentinels[2].MasterAddr = addr("node-1") },
			problems: []string{"sentinels disagree on the master: sentinel-1, sentinel-2 say master; sentinel-3 says node-1"},
		},
		{
			name: "a sentinel unreachable",
			change: func(s *probe.Snapshot) {
				s.Sentinels[1] = probe.SentinelView{Service: "sentinel-2", Address: addr("sentinel-2"), Error: "i/o timeout"}
			},
			wantMaster: "master",
			problems:   []string{"sentinel-2 does not answer (i/o timeout)"},
		},
		{
			name: "no sentinel answers",
			change: func(s *probe.Snapshot) {
				for i := range s.Sentinels {
					s.Sentinels[i] = probe.SentinelView{Service: s.Sentinels[i].Service, Error: "connection refused"}
				}
			},
			problems: []string{
				"sentinel-1 does not answer (connection refused)",
				"sentinel-2 does not answer (connection refused)",
				"sentinel-3 does not answer (connection refused)",
				"no sentinel answers, so nobody says who the master is",
			},
		},
		{
			name:       "a replica not online yet",
			change:     func(s *probe.Snapshot) { s.Nodes[0].Replicas[1].State = "wait_bgsave" },
			wantMaster: "master",
			problems:   []string{"node-2 replicates master but is in state wait_bgsave, not online yet"},
		},
		{
			name:       "a replica not connected",
			change:     func(s *probe.Snapshot) { s.Nodes[0].Replicas = s.Nodes[0].Replicas[:1] },
			wantMaster: "master",
			problems:   []string{"node-2 is not yet a connected replica of master"},
		},
		{
			name:       "the master answers role:replica",
			change:     func(s *probe.Snapshot) { s.Nodes[0].Role, s.Nodes[0].Replicas = "replica", nil },
			wantMaster: "master",
			problems:   []string{"master, named master by the sentinels, answers role:replica"},
		},
		{
			name: "the master does not answer",
			change: func(s *probe.Snapshot) {
				s.Nodes[0] = probe.NodeInfo{Service: "master", Error: "connection refused"}
			},
			wantMaster: "master",
			problems:   []string{"master master does not answer (connection refused)"},
		},
		{
			// A replica killed and started again at once: the sentinel's
			// link still waits on a PING the old process never answered.
			name: "a sentinel has waited over half of down-after for a replica's PING",
			change: func(s *probe.Snapshot) {
				s.Sentinels[1].DownAfterMS = 1000
				s.Sentinels[1].Replicas[1].PendingPingMS = 600
				s.Sentinels[2].DownAfterMS = 1000
				s.Sentinels[2].Replicas[1].PendingPingMS = 400
			},
			wantMaster: "master",
			problems:   []string{"sentinel-2 sees 1 of 2 replicas"},
		},
		{
			name:       "a sentinel sees fewer replicas",
			change:     func(s *probe.Snapshot) { s.Sentinels[0].Replicas = s.Sentinels[0].Replicas[:1] },
			wantMaster: "master",
			problems:   []string{"sentinel-1 sees 1 of 2 replicas"},
		},
		{
			name:       "a sentinel thinks a replica is down",
			change:     func(s *probe.Snapshot) { s.Sentinels[0].Replicas[1].Flags = "s_down,slave" },
			wantMaster: "master",
			problems:   []string{"sentinel-1 sees 1 of 2 replicas"},
		},
		{
			name:       "a sentinel sees fewer sentinels",
			change:     func(s *probe.Snapshot) { s.Sentinels[1].Sentinels[0].Flags = "sentinel,disconnected" },
			wantMaster: "master",
			problems:   []string{"sentinel-2 sees 1 of 2 other sentinels"},
		},
		{
			name: "CKQUORUM not OK",
			change: func(s *probe.Snapshot) {
				s.Sentinels[0].QuorumOK, s.Sentinels[0].QuorumReply = false, "NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the majority"
			},
			wantMaster: "master",
			problems:   []string{"sentinel-1 CKQUORUM: NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the majority"},
		},
		{
			name:       "TILT",
			change:     func(s *probe.Snapshot) { s.Sentinels[2].Tilt = true },
			wantMaster: "master",
			problems:   []string{"sentinel-3 is in TILT mode (it paused acting after a clock jump or a freeze)"},
		},
		{
			name:       "a sentinel flags the master down",
			change:     func(s *probe.Snapshot) { s.Sentinels[0].Flags = "master,s_down" },
			wantMaster: "master",
			problems:   []string{"sentinel-1 flags the master master,s_down"},
		},
		{
			name:       "a sentinel not connected to the master yet",
			change:     func(s *probe.Snapshot) { s.Sentinels[1].Flags = "master,disconnected" },
			wantMaster: "master",
			problems:   []string{"sentinel-2 is not connected to the master yet"},
		},
		{
			name: "a sentinel waiting long for the master's PING reply",
			change: func(s *probe.Snapshot) {
				s.Sentinels[2].DownAfterMS, s.Sentinels[2].PendingPingMS = 1000, 900
				s.Sentinels[1].DownAfterMS, s.Sentinels[1].PendingPingMS = 1000, 2 // a PING just sent
			},
			wantMaster: "master",
			problems:   []string{"sentinel-3 has waited 900 ms for the master to answer a PING"},
		},
		{
			// Issue 17: after a shrink, the sentinels kept the removed
			// replicas as s_down while status said healthy.
			name: "a sentinel still lists a removed replica",
			change: func(s *probe.Snapshot) {
				s.Sentinels[0].Replicas = append(s.Sentinels[0].Replicas, probe.PeerState{Address: "172.28.5.13:6382", Flags: "s_down,slave"})
			},
			wantMaster: "master",
			problems: []string{"sentinel-1 still lists 172.28.5.13:6382 (s_down,slave), which is no longer a node of this lab; " +
				"`sentinel-lab up` makes it forget (SENTINEL RESET)"},
		},
		{
			name: "a sentinel still lists a removed sentinel",
			change: func(s *probe.Snapshot) {
				s.Sentinels[2].Sentinels = append(s.Sentinels[2].Sentinels, probe.PeerState{Address: "172.28.5.104:26382", Flags: "s_down,sentinel,disconnected"})
			},
			wantMaster: "master",
			problems: []string{"sentinel-3 still lists 172.28.5.104:26382 (s_down,sentinel,disconnected), which is no longer a node of this lab; " +
				"`sentinel-lab up` makes it forget (SENTINEL RESET)"},
		},
		{
			name: "a live replica of the user's own is no stale peer",
			change: func(s *probe.Snapshot) {
				s.Sentinels[0].Replicas = append(s.Sentinels[0].Replicas, probe.PeerState{Address: "172.28.5.200:6379", Flags: "slave"})
			},
			wantMaster: "master",
		},
		{
			// Issue 17: revive said "Nothing to revive" while two nodes
			// answered role:master.
			name:       "a second node answers role:master",
			change:     func(s *probe.Snapshot) { s.Nodes[2].Role, s.Nodes[2].MasterAddr = "master", "" },
			wantMaster: "master",
			problems: []string{"node-2 also answers role:master, beside master: a second master (a split brain); " +
				"the sentinels turn it into a replica after a few hello periods, `sentinel-lab revive` waits for that"},
		},
		{
			name: "the sentinels name a sentinel",
			change: func(s *probe.Snapshot) {
				for i := range s.Sentinels {
					s.Sentinels[i].MasterAddr = addr("sentinel-1")
				}
			},
			problems: []string{"the sentinels name " + addr("sentinel-1") + " as master, which is not a data node of this lab"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			master := c.master
			if master == "" {
				master = "master"
			}
			s := agreeOn(lab, master)
			if c.change != nil {
				c.change(&s)
			}

			h := probe.Evaluate(lab, s)

			if h.Healthy != (len(c.problems) == 0) {
				t.Errorf("healthy %v with problems %q", h.Healthy, h.Problems)
			}
			if !slices.Equal(h.Problems, c.problems) {
				t.Errorf("problems:\n got %q\nwant %q", h.Problems, c.problems)
			}
			if got := map[bool]string{true: h.Master.Service}[h.HasMaster]; got != c.wantMaster {
				t.Errorf("master %q (has %v), want %q", got, h.HasMaster, c.wantMaster)
			}
			if h.Healthy && h.Condition() != "healthy" || !h.Healthy && h.Condition() != strings.Join(c.problems, "; ") {
				t.Errorf("condition %q", h.Condition())
			}
		})
	}
}
