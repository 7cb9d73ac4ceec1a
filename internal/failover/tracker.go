package failover

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// Poll is one round of answers after the fault.
type Poll struct {
	// At is when the sentinels had answered.
	At time.Time
	// Named maps each watched sentinel that answered to the address it
	// names as master.
	Named map[string]string
	// Silent lists the watched sentinels that did not answer.
	Silent []string
	// NodesAt is when the data nodes had answered; Nodes maps each data
	// node asked (not the old master) to its INFO. Nodes are asked only
	// once some sentinel names a new master.
	NodesAt time.Time
	Nodes   map[string]probe.NodeInfo
}

// Phases are the moments a failover reaches its new state, in ms since
// the fault; -1 for a moment not reached.
type Phases struct {
	// FailoverMS: fault to the first sentinel answering
	// get-master-addr-by-name with the new master.
	FailoverMS int64 `json:"failover_ms"`
	// FirstSentinel is the sentinel that answered with it first.
	FirstSentinel string `json:"first_sentinel"`
	// AgreedMS: fault to every answering sentinel naming the new master.
	AgreedMS int64 `json:"agreed_ms"`
	// PromotedMS: fault to the new master answering role:master.
	PromotedMS int64 `json:"promoted_ms"`
	// ReplicasLinkedMS: fault to every other reachable replica replicating
	// the new master with its link up.
	ReplicasLinkedMS int64 `json:"replicas_linked_ms"`
	// ConvergedMS is the latest of the above: the lab's new steady state.
	ConvergedMS int64 `json:"converged_ms"`
}

// Tracker decides, from timestamped polls, when each part of the new state
// first holds. It is pure: what "converged" means, and every number
// kill-master reports, comes from here.
type Tracker struct {
	lab *topology.Lab
	old topology.Node
	t0  time.Time

	newAddr     string
	candidates  map[string]*candidate
	silentSince map[string]time.Time
	lost        map[string]bool
	convergedAt time.Time
}

// candidate is an address a sentinel named as the new master.
type candidate struct {
	firstMS       int64
	firstSentinel string
	// agreedMS is when every answering sentinel named it, -1 before.
	agreedMS, promotedMS, linkedMS int64
}

// NewTracker tracks the failover of old, faulted at t0.
func NewTracker(lab *topology.Lab, old topology.Node, t0 time.Time) *Tracker {
	return &Tracker{
		lab: lab, old: old, t0: t0,
		candidates: map[string]*candidate{}, silentSince: map[string]time.Time{}, lost: map[string]bool{},
	}
}

// WantsNodes tells whether the data nodes must be asked in a round whose
// sentinels answered named: once any sentinel names a new master.
func (t *Tracker) WantsNodes(named map[string]string) bool {
	if len(t.candidates) > 0 {
		return true
	}
	for _, a := range named {
		if a != t.old.Addr.String() {
			return true
		}
	}
	return false
}

// Observe takes one poll and returns what changed, for progress.
func (t *Tracker) Observe(p Poll) []string {
	notes := t.observeSentinels(p)
	// Each new master named, even before the sentinels agree on it, is
	// watched for its promotion and for the replicas following it.
	if p.Nodes != nil {
		ms := p.NodesAt.Sub(t.t0).Milliseconds()
		for _, a := range slices.Sorted(maps.Keys(t.candidates)) {
			c := t.candidates[a]
			if c.promotedMS < 0 {
				if ni := p.Nodes[t.lab.ServiceAt(a)]; ni.Reachable && ni.Role == topology.Master {
					c.promotedMS = ms
					notes = append(notes, fmt.Sprintf("%s answers role:master", t.name(a)))
				}
			}
			if c.linkedMS < 0 && t.replicasLinked(p.Nodes, a) {
				c.linkedMS = ms
				notes = append(notes, fmt.Sprintf("remaining replicas replicate %s", t.name(a)))
			}
		}
	}
	if t.convergedAt.IsZero() && t.Converged() {
		t.convergedAt = p.At
		notes = append(notes, fmt.Sprintf("converged on %s after %s", t.name(t.newAddr), p.At.Sub(t.t0).Round(time.Millisecond)))
	}
	return notes
}

func (t *Tracker) observeSentinels(p Poll) []string {
	var notes []string
	for _, s := range p.Silent {
		if _, ok := t.silentSince[s]; !ok {
			t.silentSince[s] = p.At
		}
		// A sentinel silent for a second is lost for this failover: it is
		// no longer waited for to agree.
		if p.At.Sub(t.silentSince[s]) > time.Second && !t.lost[s] {
			t.lost[s] = true
			notes = append(notes, s+" stopped answering")
		}
	}
	ms := p.At.Sub(t.t0).Milliseconds()
	count := map[string]int{} // address -> sentinels naming it now
	for _, s := range slices.Sorted(maps.Keys(p.Named)) {
		delete(t.silentSince, s)
		a := p.Named[s]
		count[a]++
		if a == t.old.Addr.String() {
			continue
		}
		if _, seen := t.candidates[a]; !seen {
			t.candidates[a] = &candidate{firstMS: ms, firstSentinel: s, agreedMS: -1, promotedMS: -1, linkedMS: -1}
			notes = append(notes, fmt.Sprintf("%s reports the new master %s", s, t.name(a)))
		}
	}
	// Agreed: every answering sentinel, a majority at least, names the same
	// new master. Should they later agree on another (a second failover),
	// that one is the new master.
	answered := len(p.Named)
	for _, a := range slices.Sorted(maps.Keys(count)) {
		if a != t.old.Addr.String() && count[a] == answered && answered >= t.lab.Majority() && a != t.newAddr {
			t.newAddr = a
			t.candidates[a].agreedMS = ms
			notes = append(notes, fmt.Sprintf("all %d answering sentinels agree on %s", answered, t.name(a)))
		}
	}
	return notes
}

// Converged tells whether every phase was reached for the agreed master.
func (t *Tracker) Converged() bool {
	ph := t.Phases()
	return ph.FailoverMS >= 0 && ph.AgreedMS >= 0 && ph.PromotedMS >= 0 && ph.ReplicasLinkedMS >= 0
}

// ConvergedAt is when Converged first held, zero before.
func (t *Tracker) ConvergedAt() time.Time { return t.convergedAt }

// NewMaster is the master the sentinels agreed on, if they did.
func (t *Tracker) NewMaster() (topology.Node, bool) {
	if t.newAddr == "" {
		return topology.Node{}, false
	}
	return t.lab.NodeAt(t.newAddr)
}

// Phases are the times of the agreed master's phases.
func (t *Tracker) Phases() Phases {
	ph := Phases{FailoverMS: -1, AgreedMS: -1, PromotedMS: -1, ReplicasLinkedMS: -1, ConvergedMS: -1}
	c, ok := t.candidates[t.newAddr]
	if !ok {
		return ph
	}
	ph.FailoverMS, ph.FirstSentinel, ph.AgreedMS = c.firstMS, c.firstSentinel, c.agreedMS
	ph.PromotedMS, ph.ReplicasLinkedMS = c.promotedMS, c.linkedMS
	if ph.FailoverMS >= 0 && ph.AgreedMS >= 0 && ph.PromotedMS >= 0 && ph.ReplicasLinkedMS >= 0 {
		ph.ConvergedMS = max(ph.FailoverMS, ph.AgreedMS, ph.PromotedMS, ph.ReplicasLinkedMS)
	}
	return ph
}

// Lost names the sentinels that stopped answering during the failover.
func (t *Tracker) Lost() []string { return slices.Sorted(maps.Keys(t.lost)) }

// replicasLinked tells whether every reachable data node other than the old
// master and newAddr replicates newAddr with its link up.
func (t *Tracker) replicasLinked(nodes map[string]probe.NodeInfo, newAddr string) bool {
	for _, n := range t.lab.DataNodes() {
		if n.Addr == t.old.Addr || n.Addr.String() == newAddr {
			continue
		}
		ni := nodes[n.Service]
		if !ni.Reachable {
			continue // a node that was already down cannot follow anyone
		}
		if ni.Role != topology.Replica || ni.MasterAddr != newAddr || ni.MasterLinkStatus != "up" {
			return false
		}
	}
	return true
}

func (t *Tracker) name(addr string) string {
	if s := t.lab.ServiceAt(addr); s != "" {
		return s
	}
	return addr
}
