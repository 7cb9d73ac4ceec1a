// Package scenario is a catalogue of things that go wrong around Sentinel,
// each with the outcome Sentinel is expected to reach: the master crashing,
// the leader crashing mid-failover, a replica lost during the failover, a
// sentinel cut off, a stall that ends in TILT, a split brain. A scenario is
// data (the lab it needs, what it does, when, and whether a failover must
// follow) plus small check functions that judge what was observed; Run
// applies it to a lab and returns a verdict with its reasons. A fault that
// did not take effect fails its scenario.
package scenario

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/fault"
	"github.com/sentinel-lab/sentinel-lab/internal/load"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// Timers are the Sentinel timers of a scenario's lab. They are one setting
// for the whole catalogue (Default), so every scenario can move to faster
// timers at once; a scenario that needs a relation between them (a restart
// faster than down-after) derives it from these.
type Timers struct {
	DownAfter       time.Duration
	FailoverTimeout time.Duration
}

// Default is what every scenario's own lab runs with: a down-after small
// enough to keep a run short and large enough to be stable on a loaded
// machine, and a failover-timeout that lets a second attempt (after an
// aborted one, which waits 2 x failover-timeout) come within seconds.
var Default = Timers{DownAfter: 1000 * time.Millisecond, FailoverTimeout: 3000 * time.Millisecond}

// Who names the nodes a step acts on, resolved when it runs: the master is
// whoever the sentinels name then.
type Who string

// The nodes a step can act on.
const (
	TheMaster    Who = "master"
	TheReplicas  Who = "replicas"
	TheSentinels Who = "sentinels"
	// TheLastSentinels are all sentinels but the first: a majority of
	// three down.
	TheLastSentinels Who = "sentinels-but-first"
	TheFirstSentinel Who = "sentinel-first"
	// TheEventNode is the node the event that triggered the step names.
	TheEventNode Who = "event-node"
)

// Action is what a step does.
type Action string

// The actions.
const (
	// DoFault applies Fault to the nodes.
	DoFault Action = "fault"
	// DoLift undoes the faults of the nodes (without waiting for them to
	// rejoin), as a restart does once the container is started again.
	DoLift Action = "lift"
	// DoFailover asks a sentinel for a failover (SENTINEL FAILOVER).
	DoFailover Action = "failover"
	// DoDisarm clears the simulated failures of every sentinel that still
	// answers.
	DoDisarm Action = "disarm"
	// DoQuorum sets the sentinels' quorum to Quorum (SENTINEL SET); the
	// lab's own is set back at the end.
	DoQuorum Action = "quorum"
)

// Until is a condition a step waits for once done.
type Until string

// The conditions.
const (
	// ReplicasFlagged: every answering sentinel flags every replica s_down.
	ReplicasFlagged Until = "replicas-flagged"
)

// Step is one thing a scenario does.
type Step struct {
	Do    Action
	Who   Who
	Fault fault.Spec
	// From, with a Loss fault, names the nodes whose traffic is dropped.
	From Who
	// For, when set, is the fault's duration, from the scenario's timers.
	For func(Timers) time.Duration
	// Until, when set, is waited for after the step.
	Until Until
	// Quorum is what DoQuorum sets.
	Quorum int
}

// Reaction is a step taken once, when a sentinel publishes an event of
// type On (and, for "+sdown", about an instance of kind OnKind).
type Reaction struct {
	On, OnKind string
	Step       Step
}

// Scenario is one entry of the catalogue. What it means in words (its
// summary and the outcome it expects) is in the presentation's phrase
// table, in English and Chinese, under its name.
type Scenario struct {
	Name string
	// Lab are the lab settings it needs beyond the timers, as config keys.
	Lab func(t Timers) map[string]string
	// Timers derives the scenario's timers from the catalogue's.
	Timers func(t Timers) Timers
	// Setup runs before the sentinels are watched.
	Setup []Step
	// Trigger runs once they are: its start is the time everything is
	// measured from.
	Trigger []Step
	// During are the reactions to the sentinels' events.
	During []Reaction
	// Failover tells whether a failover must follow (watched until the
	// lab converges) or must not (watched for Window).
	Failover bool
	Window   func(t Timers) time.Duration
	// Load runs a client writer, and a second one on an isolated old
	// master's side; Revive brings the faulted nodes back at the end, to
	// count what a split brain lost.
	Load, Revive bool
	// Checks judge what was observed; every one must pass.
	Checks []Check
}

// Check judges one aspect of what was observed.
type Check func(o *Observation) Finding

// Finding is what one check found: a phrase key of the presentation with
// its arguments, and whether the expectation held.
type Finding struct {
	Key  string   `json:"check"`
	OK   bool     `json:"ok"`
	Args []string `json:"args,omitempty"`
	// Text is the finding in words, filled by the presentation.
	Text string `json:"text,omitempty"`
}

// Done is one step the scenario took, for the timeline.
type Done struct {
	AtMS int64 `json:"at_ms"`
	// What says it: "kill master", "SENTINEL FAILOVER on sentinel-1".
	What     string   `json:"what"`
	Services []string `json:"services,omitempty"`
	Error    string   `json:"error,omitempty"`
	// Trigger is the event that set it off, for a reaction.
	Trigger string `json:"trigger,omitempty"`
}

// Observation is everything a run saw, for the checks.
type Observation struct {
	Timers Timers
	// Label says what the trigger did: "kill master".
	Label       string
	OldMaster   topology.Node
	EpochBefore int64
	RunIDBefore string
	Steps       []Done
	// Failover is the failover that converged; NoFailover what the
	// sentinels said when none did within the window.
	Failover   *failover.Report
	NoFailover *failover.NoFailoverError
	// WatchError is a watch that ended otherwise.
	WatchError error
	// Events are every sentinel's, timed from the trigger.
	Events []failover.Event
	Names  failover.Names
	// After the watch: the sentinels' views, the old master's INFO and
	// every container's state.
	Views      []probe.SentinelView
	OldInfo    probe.NodeInfo
	Containers map[string]string
	// Load is the client's writes; Revive what bringing the nodes back
	// found, with the split brain's loss.
	Load        *load.Result
	Revive      *failover.ReviveReport
	ReviveError string
	// Reactions are the events the scenario reacts to, for a check that
	// none came.
	Reactions []string
	// MaxLag is the lab's min-replicas-max-lag.
	MaxLag time.Duration
}

// Catalogue lists every scenario, in the order they are shown.
func Catalogue() []*Scenario { return catalogue }

// Find returns the scenario named name, or an error naming them all.
func Find(name string) (*Scenario, error) {
	for _, s := range catalogue {
		if s.Name == name {
			return s, nil
		}
	}
	return nil, &UnknownError{Name: name}
}

// UnknownError is a scenario name not in the catalogue.
type UnknownError struct{ Name string }

func (e *UnknownError) Error() string {
	var names []string
	for _, s := range catalogue {
		names = append(names, s.Name)
	}
	return fmt.Sprintf("there is no scenario %q; `sentinel-lab scenario list` shows them: %s", e.Name, strings.Join(names, ", "))
}

// IsUsage marks the error as the user's to fix.
func (e *UnknownError) IsUsage() bool { return true }

// events of type typ, by any sentinel.
func (o *Observation) events(typ string) []failover.Event {
	var out []failover.Event
	for _, e := range o.Events {
		if e.Type == typ && e.AtMS >= 0 {
			out = append(out, e)
		}
	}
	return out
}

// about tells the events of typ about an instance of kind (master, slave,
// sentinel).
func (o *Observation) about(typ, kind string) []failover.Event {
	var out []failover.Event
	for _, e := range o.events(typ) {
		if in, ok := failover.ParseInstance(e.Detail); ok && in.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// faulted names the services a step of action a hit.
func (o *Observation) faulted(a string) []string {
	var out []string
	for _, d := range o.Steps {
		if d.Error == "" && strings.HasPrefix(d.What, a) {
			out = append(out, d.Services...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
