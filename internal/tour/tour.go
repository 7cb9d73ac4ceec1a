// Package tour walks a running lab through the seed document: INFO of each
// role, the steps of a sync, a full and a partial resync as both logs tell
// them, and a failover as each sentinel's log tells it. It gathers this
// lab's own values and log lines, section by section, as data; what each
// value and line means is said by internal/present.
package tour

import (
	"context"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
)

// The sections, in the seed's order; their ids are also the JSON's.
const (
	InfoServer    = "info-server"
	InfoMaster    = "info-master"
	InfoReplica   = "info-replica"
	InfoSentinel  = "info-sentinel"
	SyncSteps     = "sync-steps"
	FullSync      = "full-sync"
	PartialSync   = "partial-sync"
	FailoverSteps = "failover-steps"
	Follower      = "follower"
	Leader        = "leader"
)

// IDs lists every section id in the seed's order.
var IDs = []string{InfoServer, InfoMaster, InfoReplica, InfoSentinel, SyncSteps, FullSync, PartialSync, FailoverSteps, Follower, Leader}

// Tour is what a tour of one lab showed.
type Tour struct {
	Lab string `json:"lab"`
	// Server is what the lab runs: "Redis 7.0.15", "Valkey 8.0.1".
	Server   string     `json:"server"`
	Sections []*Section `json:"sections"`
	// FaultAt is when the tour faulted the master: the failover report of
	// the same time is this tour's.
	FaultAt time.Time `json:"fault_at,omitzero"`
	// Nodes are the lab's nodes, so the addresses and sentinel ids the
	// lines mention can be named.
	Nodes []Node `json:"nodes"`
	// failover is the failover the tour made.
	failover *failover.Report
}

// Node is one node of the lab: its service, in-network address and, for
// a sentinel, its myid.
type Node struct {
	Service string `json:"service"`
	Address string `json:"address"`
	ID      string `json:"id,omitempty"`
}

// Names name the nodes by address and the sentinels by myid, for what the
// lines mention.
func (t *Tour) Names() failover.Names {
	n := failover.Names{ByAddr: map[string]string{}, ByID: map[string]string{}}
	for _, node := range t.Nodes {
		n.ByAddr[node.Address] = node.Service
		if node.ID != "" {
			n.ByID[node.ID] = node.Service
		}
	}
	return n
}

// Section is one section of the seed with this lab's values. Title, Intro,
// Steps, Notes and every Meaning are filled by present.
type Section struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Intro string `json:"intro,omitempty"`
	// Steps are the seed's numbered steps (sync-steps, failover-steps).
	Steps  []string  `json:"steps,omitempty"`
	Fields []Field   `json:"fields,omitempty"`
	Lines  []LogLine `json:"lines,omitempty"`
	Notes  []string  `json:"notes,omitempty"`
	// Did says what the tour did to the lab for this section, as data
	// for present to word.
	Did *Action `json:"action,omitempty"`
}

// Field is one value: an INFO field, a setting or a value read from a log
// line, and the node it is of.
type Field struct {
	Node    string `json:"node,omitempty"`
	Name    string `json:"name"`
	Value   string `json:"value"`
	Meaning string `json:"meaning"`
}

// LogLine is one line of a node's log file, as written.
type LogLine struct {
	Node    string `json:"node"`
	Line    string `json:"line"`
	Meaning string `json:"meaning"`
	// Role is what the node was when it wrote the line (master, replica,
	// sentinel), so the line reads in its context.
	Role string `json:"role"`
	// Time is when the line was written.
	Time time.Time `json:"time"`
}

// Action is what the tour did to the lab.
type Action struct {
	// Kind is "resync" (REPLICAOF NO ONE, then REPLICAOF the master
	// again) or "failover" (kill-master, then revive).
	Kind string `json:"kind"`
	// Node is the node it was done to, Target the master it followed.
	Node   string `json:"node"`
	Target string `json:"target,omitempty"`
	// TookMS is how long it took until the lab was whole again.
	TookMS int64 `json:"took_ms"`
}

// Emit receives each section as soon as it is gathered, so a person reads
// the INFO while the tour makes a sync happen; t is the tour so far.
type Emit func(t *Tour, sec *Section) error

// Options tune a tour.
type Options struct {
	// Timeout bounds each wait: the full sync, the failover, the revive.
	Timeout time.Duration
}

// Run gathers the sections in the seed's order on the session's lab,
// handing each to emit. It makes a full resync happen on a replica, then
// fails the master over and revives it, which leaves the lab healthy with
// another node as master.
func Run(ctx context.Context, s *lab.Session, o Options, emit Emit) (*Tour, error) {
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	t := &Tour{Lab: s.Lab.Config.Name}
	add := func(secs ...*Section) error {
		for _, sec := range secs {
			t.Sections = append(t.Sections, sec)
			if err := emit(t, sec); err != nil {
				return err
			}
		}
		return nil
	}
	at, err := lookAround(ctx, s)
	if err != nil {
		return t, err
	}
	t.Server, t.Nodes = at.server, at.nodes
	if err := add(at.infoSections()...); err != nil {
		return t, err
	}
	if err := add(syncStepsSection(ctx, s, at)); err != nil {
		return t, err
	}
	full, err := fullSync(ctx, s, at, o.Timeout)
	if err != nil {
		return t, err
	}
	if err := add(full); err != nil {
		return t, err
	}
	fo, err := runFailover(ctx, s, at, o.Timeout)
	if err != nil {
		return t, err
	}
	t.failover, t.FaultAt = fo.report, fo.report.FaultAt
	return t, add(fo.partialSection(), fo.stepsSection(), fo.sentinelSection(Follower), fo.sentinelSection(Leader))
}
