package probe

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// Snapshot is what every node and sentinel said at about the same time.
type Snapshot struct {
	At        time.Time
	Nodes     []NodeInfo
	Sentinels []SentinelView
}

// Snapshot asks every node and sentinel at once.
func (p *Prober) Snapshot(ctx context.Context) Snapshot {
	s := Snapshot{At: time.Now()}
	data, sentinels := p.Lab.DataNodes(), p.Lab.Sentinels()
	s.Nodes = make([]NodeInfo, len(data))
	s.Sentinels = make([]SentinelView, len(sentinels))
	var wg sync.WaitGroup
	for i, n := range data {
		wg.Go(func() { s.Nodes[i] = p.Node(ctx, n) })
	}
	for i, n := range sentinels {
		wg.Go(func() { s.Sentinels[i] = p.Sentinel(ctx, n) })
	}
	wg.Wait()
	return s
}

// Health is the verdict on a snapshot.
type Health struct {
	Healthy bool
	// Master is the node every reachable sentinel names as master, if they
	// agree on one that is a node of the lab.
	Master    topology.Node
	HasMaster bool
	// Problems name each condition that does not hold, with what was seen.
	Problems []string
}

// Condition is the problems joined, for progress and errors.
func (h Health) Condition() string {
	if h.Healthy {
		return "healthy"
	}
	return strings.Join(h.Problems, "; ")
}

// Evaluate decides whether the lab is healthy: every sentinel answers and
// agrees on the master, sees every replica and every other sentinel, is not
// in TILT and answers OK to CKQUORUM; the master answers role:master and
// reports every other data node as an online replica.
func Evaluate(lab *topology.Lab, s Snapshot) Health {
	var h Health
	problem := func(format string, args ...any) { h.Problems = append(h.Problems, fmt.Sprintf(format, args...)) }
	for _, v := range s.Sentinels {
		if !v.Reachable {
			problem("%s does not answer (%s)", v.Service, v.Error)
		}
	}
	vote := MasterVote(s.Sentinels)
	masterAddr := ""
	switch {
	case vote.Answering == 0:
		problem("no sentinel answers, so nobody says who the master is")
	case vote.Unanimous():
		masterAddr = vote.Addr
	default:
		problem("sentinels disagree on the master: %s", vote.Disagreement(lab))
	}
	if masterAddr != "" {
		if m, ok := lab.NodeAt(masterAddr); ok && !m.IsSentinel() {
			h.Master, h.HasMaster = m, true
		} else {
			problem("the sentinels name %s as master, which is not a data node of this lab", masterAddr)
		}
	}

	if h.HasMaster {
		checkMaster(lab, s, h.Master, problem)
		for _, n := range StrayMasters(s, h.Master) {
			problem("%s also answers role:master, beside %s: a second master (a split brain); the sentinels turn it into a replica after a few hello periods, `sentinel-lab revive` waits for that",
				n.Service, h.Master.Service)
		}
	}
	for _, v := range s.Sentinels {
		if v.Reachable {
			checkSentinel(lab, v, problem)
		}
	}
	h.Healthy = len(h.Problems) == 0
	return h
}

func checkMaster(lab *topology.Lab, s Snapshot, master topology.Node, problem func(string, ...any)) {
	var mi NodeInfo
	for _, n := range s.Nodes {
		if n.Service == master.Service {
			mi = n
		}
	}
	if !mi.Reachable {
		problem("master %s does not answer (%s)", master.Service, mi.Error)
		return
	}
	if mi.Role != topology.Master {
		problem("%s, named master by the sentinels, answers role:%s", master.Service, mi.Role)
		return
	}
	online := map[string]string{}
	for _, r := range mi.Replicas {
		online[r.Addr] = r.State
	}
	for _, n := range lab.DataNodes() {
		if n.Service == master.Service {
			continue
		}
		switch st, ok := online[n.Addr.String()]; {
		case !ok:
			problem("%s is not yet a connected replica of %s", n.Service, master.Service)
		case st != "online":
			problem("%s replicates %s but is in state %s, not online yet", n.Service, master.Service, st)
		}
	}
}

func checkSentinel(lab *topology.Lab, v SentinelView, problem func(string, ...any)) {
	if strings.Contains(v.Flags, "s_down") || strings.Contains(v.Flags, "o_down") {
		problem("%s flags the master %s", v.Service, v.Flags)
	} else if strings.Contains(v.Flags, "disconnected") {
		// Not connected yet, its link counts down from its start: with a
		// short down-after it would flag the master down a moment later.
		problem("%s is not connected to the master yet", v.Service)
	} else if v.DownAfterMS > 0 && v.PendingPingMS > v.DownAfterMS/2 {
		// A PING unanswered for half of down-after: the first one after a
		// slow start, or a master in trouble; either way s_down is close.
		problem("%s has waited %d ms for the master to answer a PING", v.Service, v.PendingPingMS)
	}
	if v.Tilt {
		problem("%s is in TILT mode (it paused acting after a clock jump or a freeze)", v.Service)
	}
	// One data node is the master, whoever it is: the others are the
	// replicas to see, also while the sentinels do not agree on a master.
	wantReplicas := len(lab.DataNodes()) - 1
	if got := healthyPeers(v.Replicas, v.DownAfterMS); got < wantReplicas {
		problem("%s sees %d of %d replicas", v.Service, got, wantReplicas)
	}
	if want, got := len(lab.Sentinels())-1, healthyPeers(v.Sentinels, v.DownAfterMS); got < want {
		problem("%s sees %d of %d other sentinels", v.Service, got, want)
	}
	for _, p := range StalePeers(lab, v) {
		problem("%s still lists %s (%s), which is no longer a node of this lab; `sentinel-lab up` makes it forget (SENTINEL RESET)",
			v.Service, p.Address, p.Flags)
	}
	if !v.QuorumOK {
		problem("%s CKQUORUM: %s", v.Service, v.QuorumReply)
	}
}

// healthyPeers counts peers a sentinel is connected to and does not
// consider down, nor is about to: as for the master, a PING unanswered for
// half of down-after means s_down is close. Without that, a replica killed
// and started again at once (up, revive) could pass while a sentinel still
// waited on a PING its old process never answered, and be flagged down a
// moment after up said healthy (seen once in CI with fast timers).
func healthyPeers(ps []PeerState, downAfterMS int64) int {
	n := 0
	for _, p := range ps {
		if downAfterMS > 0 && p.PendingPingMS > downAfterMS/2 {
			continue
		}
		if !strings.Contains(p.Flags, "s_down") && !strings.Contains(p.Flags, "disconnected") {
			n++
		}
	}
	return n
}
