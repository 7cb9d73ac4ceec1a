package failover

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
)

// NodeRef names a node.
type NodeRef struct {
	Service string `json:"service"`
	Address string `json:"address"`
}

// Report is one failover, measured from the moment the fault took effect.
type Report struct {
	Lab         string  `json:"lab"`
	MasterName  string  `json:"master_name"`
	Mode        Mode    `json:"mode"`
	OldMaster   NodeRef `json:"old_master"`
	NewMaster   NodeRef `json:"new_master"`
	DownAfterMS int64   `json:"down_after_ms"`
	// FaultAt is when the fault was requested; every time counts from it.
	FaultAt time.Time `json:"fault_at"`
	// FaultCallMS is how long the engine took to carry the fault out.
	FaultCallMS int64 `json:"fault_call_ms"`
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
	// Leader is the sentinel that led the failover.
	Leader    string   `json:"leader"`
	Followers []string `json:"followers"`
	Epoch     int64    `json:"epoch"`
	// Resyncs say how each remaining replica caught up with the new master.
	Resyncs []ReplicaResync `json:"resyncs"`
	// Lost names sentinels that stopped answering during the failover.
	Lost   []string `json:"lost_sentinels,omitempty"`
	Events []Event  `json:"events"`
	// Load is what a client writing through the failover saw (--load).
	Load any `json:"load,omitempty"`
	// LoadError says why the client's writes could not all be counted.
	LoadError string `json:"load_error,omitempty"`
	// Nodes are the lab's data nodes and Sentinels its sentinels, so a saved
	// report can draw the topology and explain its events again, in another
	// language, naming nodes by service.
	Nodes     []NodeRef     `json:"nodes,omitempty"`
	Sentinels []SentinelRef `json:"sentinels,omitempty"`
	// Server is what the new master runs: "Redis 6.2.16", "Valkey 8.0.1".
	Server string `json:"server,omitempty"`
}

// SentinelRef names a sentinel and the myid its events use.
type SentinelRef struct {
	Service string `json:"service"`
	Address string `json:"address"`
	ID      string `json:"id,omitempty"`
}

// Names rebuilds, from Nodes and Sentinels, what Explain needs to name the
// nodes an event mentions.
func (r *Report) Names() Names {
	n := Names{ByAddr: map[string]string{}, ByID: map[string]string{}}
	for _, node := range r.Nodes {
		n.ByAddr[node.Address] = node.Service
	}
	for _, s := range r.Sentinels {
		n.ByAddr[s.Address] = s.Service
		if s.ID != "" {
			n.ByID[s.ID] = s.Service
		}
	}
	return n
}

// Interesting tells the events a failover timeline shows, as WriteText does.
func Interesting(typ string) bool { return interesting(typ) }

// labRefs lists the lab's data nodes and sentinels, with the myid each
// sentinel gave before the fault.
func labRefs(l *lab.Lab, views []probe.SentinelView) (nodes []NodeRef, sentinels []SentinelRef) {
	ids := map[string]string{}
	for _, v := range views {
		ids[v.Service] = v.MyID
	}
	for _, n := range l.Topology.DataNodes() {
		nodes = append(nodes, NodeRef{n.Service, n.Addr.String()})
	}
	for _, n := range l.Topology.Sentinels() {
		sentinels = append(sentinels, SentinelRef{n.Service, n.Addr.String(), ids[n.Service]})
	}
	return nodes, sentinels
}

// ReplicaResync is how one replica caught up with the new master.
type ReplicaResync struct {
	Service string `json:"service"`
	// Resync is partial, full, or none.
	Resync string `json:"resync"`
}

// eventOrder ranks events of one sentinel that share a millisecond, so the
// timeline reads in protocol order.
var eventOrder = []string{
	"+sdown", "+odown", "+new-epoch", "+try-failover", "+vote-for-leader", "+elected-leader",
	"+failover-state-select-slave", "+selected-slave", "+failover-state-send-slaveof-noone",
	"+failover-state-wait-promotion", "+promoted-slave", "+failover-state-reconf-slaves",
	"+slave-reconf-sent", "+slave-reconf-inprog", "+slave-reconf-done", "-odown", "+failover-end",
	"+config-update-from", "+switch-master", "+slave", "+convert-to-slave", "-sdown",
}

// interesting tells the events a failover timeline shows; chatter such as
// +slave re-announcements after the switch is kept in JSON only.
func interesting(typ string) bool {
	switch typ {
	case "+slave", "+sentinel", "+reboot", "+monitor", "+fix-slave-config":
		return false
	}
	return true
}

// WriteText prints the report the way the seed annotates its logs: the
// switch, the phase times, then each sentinel's timeline, leader first.
func WriteText(w io.Writer, r *Report, lang Lang) {
	d := r.DownAfterMS
	fmt.Fprintf(w, "Failover of %q: %s (%s) -> %s (%s)\n", r.MasterName, r.OldMaster.Service, r.OldMaster.Address,
		r.NewMaster.Service, r.NewMaster.Address)
	fmt.Fprintf(w, "Fault: %s requested at %s (the engine took %d ms); down-after-milliseconds %d\n\n",
		r.Mode, r.FaultAt.Format("15:04:05.000"), r.FaultCallMS, d)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	phase := func(label string, ms int64) {
		fmt.Fprintf(tw, "  %s\t+%s\t(down-after %+.2fs)\n", label, seconds(ms), float64(ms-d)/1000)
	}
	first := "first sentinel reports the new master"
	if r.FirstSentinel != "" {
		first = fmt.Sprintf("first sentinel (%s) reports the new master", r.FirstSentinel)
	}
	phase(first, r.FailoverMS)
	phase("all sentinels agree", r.AgreedMS)
	phase(r.NewMaster.Service+" answers role:master", r.PromotedMS)
	phase("remaining replicas linked to "+r.NewMaster.Service, r.ReplicasLinkedMS)
	tw.Flush()
	for _, rs := range r.Resyncs {
		fmt.Fprintf(w, "  %s followed %s with a %s resync\n", rs.Service, r.NewMaster.Service, rs.Resync)
	}
	if r.Leader != "" {
		fmt.Fprintf(w, "\nLeader: %s (epoch %d); followers: %s\n", r.Leader, r.Epoch, strings.Join(r.Followers, ", "))
	}
	if len(r.Lost) > 0 {
		fmt.Fprintf(w, "Stopped answering during the failover: %s\n", strings.Join(r.Lost, ", "))
	}
	for _, s := range timelineOrder(r) {
		role := "follower"
		if s == r.Leader {
			role = "leader"
		}
		fmt.Fprintf(w, "\n%s (%s)\n", s, role)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, e := range r.Events {
			if e.Sentinel != s || !interesting(e.Type) || e.AtMS < 0 {
				continue
			}
			fmt.Fprintf(tw, "  +%s\t%s\t%s\n", seconds(e.AtMS), e.Type, e.Explanation)
		}
		tw.Flush()
	}
}

// timelineOrder lists the sentinels that published events, leader first.
func timelineOrder(r *Report) []string {
	seen := map[string]bool{}
	var out []string
	if r.Leader != "" {
		out, seen[r.Leader] = append(out, r.Leader), true
	}
	var rest []string
	for _, e := range r.Events {
		if !seen[e.Sentinel] {
			seen[e.Sentinel] = true
			rest = append(rest, e.Sentinel)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

func seconds(ms int64) string { return fmt.Sprintf("%.3fs", float64(ms)/1000) }

// sortEvents orders events by time, then by protocol step within a
// millisecond.
func sortEvents(events []Event) {
	rank := map[string]int{}
	for i, t := range eventOrder {
		rank[t] = i + 1
	}
	sort.SliceStable(events, func(i, j int) bool {
		if events[i].AtMS != events[j].AtMS {
			return events[i].AtMS < events[j].AtMS
		}
		return rank[events[i].Type] < rank[events[j].Type]
	})
}

// findLeader names the sentinel that led: the one that announced
// +elected-leader in the latest epoch, else the one most voted for.
func findLeader(events []Event, names Names) (leader string, epoch int64) {
	for _, e := range events {
		if e.Type == "+elected-leader" {
			leader = e.Sentinel
		}
		if e.Type == "+new-epoch" {
			fmt.Sscan(e.Detail, &epoch)
		}
	}
	if leader != "" {
		return leader, epoch
	}
	votes := map[string]int{}
	for _, e := range events {
		if e.Type == "+vote-for-leader" {
			if f := strings.Fields(e.Detail); len(f) > 0 {
				votes[names.id(f[0])]++
			}
		}
	}
	best := 0
	for s, n := range votes {
		if n > best || (n == best && s < leader) {
			leader, best = s, n
		}
	}
	return leader, epoch
}
