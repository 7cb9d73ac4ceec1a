package failover

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/fault"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
	"github.com/sentinel-lab/sentinel-lab/internal/load"
	"github.com/sentinel-lab/sentinel-lab/internal/timers"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// NodeRef names a node.
type NodeRef = topology.NodeRef

// Report is one failover, measured from the moment the fault took effect.
type Report struct {
	Lab        string     `json:"lab"`
	MasterName string     `json:"master_name"`
	Mode       fault.Mode `json:"mode"`
	// Fault says what was done, in a few words ("loss 30% from
	// sentinel-1", "SENTINEL FAILOVER on sentinel-1").
	Fault       string  `json:"fault,omitempty"`
	OldMaster   NodeRef `json:"old_master"`
	NewMaster   NodeRef `json:"new_master"`
	DownAfterMS int64   `json:"down_after_ms"`
	// FaultAt is when the fault was requested; every time counts from it.
	FaultAt time.Time `json:"fault_at"`
	// FaultCallMS is how long the engine took to carry the fault out.
	FaultCallMS int64 `json:"fault_call_ms"`
	Phases
	// Leader is the sentinel that led the failover.
	Leader    string   `json:"leader"`
	Followers []string `json:"followers"`
	Epoch     int64    `json:"epoch"`
	// Resyncs say how each remaining replica caught up with the new master.
	Resyncs []ReplicaResync `json:"resyncs"`
	// Lost names sentinels that stopped answering during the failover.
	Lost   []string `json:"lost_sentinels,omitempty"`
	Events []Event  `json:"events"`
	// HeldBack is what held the sentinels back before the fault, nil when
	// nothing did.
	HeldBack *HeldBack `json:"held_back,omitempty"`
	// Load is what a client writing through the failover saw (--load).
	Load *load.Result `json:"load,omitempty"`
	// LoadError says why the client's writes could not all be counted.
	LoadError string `json:"load_error,omitempty"`
	// Nodes are the lab's data nodes and Sentinels its sentinels, so a saved
	// report can draw the topology and explain its events again, in another
	// language, naming nodes by service.
	Nodes     []NodeRef     `json:"nodes,omitempty"`
	Sentinels []SentinelRef `json:"sentinels,omitempty"`
	// Server is what the new master runs: "Redis 6.2.16", "Valkey 8.0.1".
	Server string `json:"server,omitempty"`
	// Timers are the sentinel periods the lab ran: normal or fast; ""
	// in reports saved before they were recorded.
	Timers timers.Mode `json:"timers,omitempty"`
}

// SentinelRef names a sentinel and the myid its events use.
type SentinelRef struct {
	Service string `json:"service"`
	Address string `json:"address"`
	// Announced is what the sentinel announces, when it differs.
	Announced string `json:"announced,omitempty"`
	ID        string `json:"id,omitempty"`
}

// Names rebuilds, from Nodes and Sentinels, what Explain needs to name the
// nodes an event mentions.
func (r *Report) Names() Names {
	n := Names{ByAddr: map[string]string{}, ByID: map[string]string{}}
	for _, node := range r.Nodes {
		n.ByAddr[node.Address] = node.Service
		if node.Announced != "" { // events name nodes as they announce themselves
			n.ByAddr[node.Announced] = node.Service
		}
	}
	for _, s := range r.Sentinels {
		n.ByAddr[s.Address] = s.Service
		if s.Announced != "" {
			n.ByAddr[s.Announced] = s.Service
		}
		if s.ID != "" {
			n.ByID[s.ID] = s.Service
		}
	}
	return n
}

// newReport starts the report of the failover tr tracked.
func newReport(l *lab.Lab, d *Discovery, o Options, t0 time.Time, callMS int64, tr *Tracker) *Report {
	r := &Report{
		Lab: l.Config.Name, MasterName: l.Config.MasterName, Mode: o.Fault.Mode, Fault: o.Fault.Describe(), OldMaster: d.Master.Ref(),
		DownAfterMS: l.Config.DownAfterMS(), FaultAt: t0, FaultCallMS: callMS,
		Phases: tr.Phases(), Lost: tr.Lost(),
	}
	if o.Trigger != nil {
		r.Mode, r.Fault = "", o.Label
	}
	if nm, ok := tr.NewMaster(); ok {
		r.NewMaster = nm.Ref()
	}
	ids := map[string]string{}
	for _, v := range d.Views {
		ids[v.Service] = v.MyID
	}
	for _, n := range l.Topology.DataNodes() {
		r.Nodes = append(r.Nodes, n.Ref())
	}
	for _, n := range l.Topology.Sentinels() {
		r.Sentinels = append(r.Sentinels, SentinelRef{n.Service, n.Addr.String(), n.AnnouncedName(), ids[n.Service]})
	}
	return r
}

// setEvents keeps the recorded events in protocol order and names the
// leader and its followers among the watched sentinels.
func (r *Report) setEvents(events []Event, names Names, watched []topology.Node) {
	sortEvents(events)
	r.Events = events
	r.Leader, r.Epoch = findLeader(events, names)
	for _, n := range watched {
		if n.Service != r.Leader {
			r.Followers = append(r.Followers, n.Service)
		}
	}
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
				votes[names.ID(f[0])]++
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

// SaveReport keeps the report with the lab, for `sentinel-lab report`.
func SaveReport(dir labdir.Dir, r *Report) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir.StateDir(), 0o700); err != nil {
		return err
	}
	return labdir.WriteFileAtomic(LastReportPath(dir), append(b, '\n'), 0o600)
}

// LastReportPath is where the last failover's report is kept.
func LastReportPath(dir labdir.Dir) string {
	return dir.Path(labdir.StateDirName, "last-failover.json")
}

// LastReport reads the last failover's report; nil when there is none.
func LastReport(dir labdir.Dir) (*Report, error) {
	b, err := os.ReadFile(LastReportPath(dir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s is not a failover report (%v)", LastReportPath(dir), err)
	}
	return &r, nil
}

// SplitBrain is what a client on a partitioned old master's side had
// acknowledged, still to be counted once the old master rejoins.
type SplitBrain struct {
	OldMaster string
	Writes    *load.Isolated
}

// PendingSplitBrain is the split brain of r: a partition with --load whose
// isolated old master acknowledged writes; nil for any other report.
func (r *Report) PendingSplitBrain() *SplitBrain {
	if r == nil || r.Load == nil || r.Load.Isolated == nil || r.Load.Isolated.Acked == 0 {
		return nil
	}
	return &SplitBrain{OldMaster: r.OldMaster.Service, Writes: r.Load.Isolated}
}

// Report is what the sentinels did when no failover came, as a failover
// report without a new master (every phase -1), so the timeline and the
// annotated events of a scenario that expected none read like any other.
func (e *NoFailoverError) Report(l *lab.Lab, label string) *Report {
	r := &Report{
		Lab: l.Config.Name, MasterName: l.Config.MasterName, Fault: label, OldMaster: e.OldMaster,
		DownAfterMS: l.Config.DownAfterMS(), FaultAt: e.FaultAt,
		Phases: Phases{FailoverMS: -1, AgreedMS: -1, PromotedMS: -1, ReplicasLinkedMS: -1, ConvergedMS: -1},
	}
	for _, n := range l.Topology.DataNodes() {
		r.Nodes = append(r.Nodes, n.Ref())
	}
	ids := map[string]string{}
	for id, svc := range e.Names.ByID {
		ids[svc] = id
	}
	var watched []topology.Node
	for _, n := range l.Topology.Sentinels() {
		r.Sentinels = append(r.Sentinels, SentinelRef{n.Service, n.Addr.String(), n.AnnouncedName(), ids[n.Service]})
		watched = append(watched, n)
	}
	r.setEvents(append([]Event(nil), e.Events...), e.Names, watched)
	return r
}
