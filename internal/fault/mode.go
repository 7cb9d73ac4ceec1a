// Package fault makes any node of a lab misbehave, any of the ways
// Sentinel must cope with: killed, stopped, frozen, cut off, asleep while
// its connections stay open, behind a lossy or slow link, or (a sentinel)
// armed to crash in the middle of the failover it leads. It remembers what
// the engine cannot tell (which packet filter rules were set, until when a
// node sleeps) in the lab's state folder, so `revive` can find and undo
// every fault.
package fault

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// Mode is how a node is faulted.
type Mode string

// The faults.
const (
	// Kill sends SIGKILL: the node dies without a word.
	Kill Mode = "kill"
	// Stop sends SIGTERM: the node shuts down cleanly.
	Stop Mode = "stop"
	// Pause freezes the node: its connections stay open but silent.
	Pause Mode = "pause"
	// Disconnect moves the node off the lab network onto one of its own: it
	// keeps running and the host still reaches it (a partition).
	Disconnect Mode = "disconnect"
	// Sleep blocks a data node's server for a while (DEBUG SLEEP): it stops
	// answering while its connections stay open, then wakes up by itself.
	Sleep Mode = "sleep"
	// Delay slows every packet of the node (the kernel's netem qdisc).
	Delay Mode = "delay"
	// Loss drops a share of the node's packets, or all of them: a
	// partition, from everyone or only from the nodes given.
	Loss Mode = "loss"
	// CrashAfterElection arms a sentinel to exit as soon as it is elected
	// leader of a failover (SENTINEL SIMULATE-FAILURE).
	CrashAfterElection Mode = "crash-after-election"
	// CrashAfterPromotion arms a sentinel to exit once the replica it
	// promoted reports role:master, before it reconfigures the others.
	CrashAfterPromotion Mode = "crash-after-promotion"
)

// Modes lists every mode, in the order help shows them.
var Modes = []Mode{Kill, Stop, Pause, Disconnect, Sleep, Delay, Loss, CrashAfterElection, CrashAfterPromotion}

// MasterModes are the faults kill-master can give the master.
var MasterModes = []Mode{Kill, Stop, Pause, Disconnect, Sleep, Delay, Loss}

// ModeNames joins modes for help and errors: "kill, stop, pause".
func ModeNames(modes []Mode) string {
	names := make([]string, len(modes))
	for i, m := range modes {
		names[i] = string(m)
	}
	return strings.Join(names, ", ")
}

// ParseMode accepts one of modes.
func ParseMode(s string, modes []Mode) (Mode, error) {
	if m := Mode(s); slices.Contains(modes, m) {
		return m, nil
	}
	return "", fmt.Errorf("mode %q is not one of %s; use --mode kill", s, ModeNames(modes))
}

// Spec is one fault, as the fault command's flags give it.
type Spec struct {
	Mode Mode `json:"mode"`
	// For is how long the fault lasts before it is undone (0: until
	// revive); for Sleep, how long the node sleeps.
	For time.Duration `json:"for_ns,omitempty"`
	// Delay and Jitter shape Delay.
	Delay  time.Duration `json:"delay_ns,omitempty"`
	Jitter time.Duration `json:"jitter_ns,omitempty"`
	// LossPercent is the share of packets Loss drops, 1 to 100.
	LossPercent int `json:"loss_percent,omitempty"`
	// From limits Loss to the traffic between the node and these nodes;
	// empty means all of its traffic.
	From []string `json:"from,omitempty"`
}

// OnSentinel tells the modes that only a sentinel can have.
func (m Mode) OnSentinel() bool { return m == CrashAfterElection || m == CrashAfterPromotion }

// UsageError is a fault asked for in a way that cannot work, with the fix.
type UsageError struct{ Reason string }

func (e *UsageError) Error() string { return e.Reason }

// IsUsage marks the error as the user's to fix.
func (e *UsageError) IsUsage() bool { return true }

func usagef(format string, args ...any) error {
	return &UsageError{Reason: fmt.Sprintf(format, args...)}
}

// Check tells whether spec can be applied to targets of lab t: the flags a
// mode needs are there, those it does not take are not, and every node
// named exists.
func (spec Spec) Check(t *topology.Lab, targets []topology.Node) error {
	if err := spec.CheckFlags(); err != nil {
		return err
	}
	for _, n := range targets {
		switch {
		case spec.Mode == Sleep && n.IsSentinel():
			return usagef("%s is a sentinel, and sentinels have no DEBUG SLEEP; --mode pause freezes a sentinel instead", n.Service)
		case spec.Mode.OnSentinel() && !n.IsSentinel():
			return usagef("--mode %s arms a sentinel, and %s is a data node; name sentinels (%s)", spec.Mode, n.Service, strings.Join(names(t.Sentinels()), ", "))
		case slices.Contains(spec.From, n.Service):
			return usagef("--from %s names the node being faulted; --from lists the nodes whose traffic with it is dropped", n.Service)
		}
	}
	for _, f := range spec.From {
		if _, ok := t.Node(f); !ok {
			return usagef("--from %q is not a node of this lab; the nodes are %s", f, strings.Join(t.Services(), ", "))
		}
	}
	return nil
}

// CheckFlags tells whether the flags fit the mode, before any node is looked at.
func (spec Spec) CheckFlags() error {
	m := spec.Mode
	switch {
	case spec.For < 0:
		return usagef("--for %s must be positive, such as --for 2s", spec.For)
	case m == Sleep && spec.For <= 0:
		return usagef("--mode sleep needs --for, how long the node sleeps, such as --for 5s")
	case m.OnSentinel() && spec.For > 0:
		return usagef("--for does not apply to --mode %s: the sentinel stays armed until it leads a failover, or until `sentinel-lab revive` disarms it", m)
	case m == Delay && spec.Delay <= 0:
		return usagef("--mode delay needs --delay, such as --delay 300ms")
	case m != Delay && (spec.Delay != 0 || spec.Jitter != 0):
		return usagef("--delay and --jitter apply to --mode delay only, not --mode %s", m)
	case spec.Jitter < 0 || (spec.Jitter > 0 && spec.Jitter > spec.Delay):
		return usagef("--jitter %s must be between 0 and --delay %s", spec.Jitter, spec.Delay)
	case m == Delay && len(spec.From) > 0:
		return usagef("--from applies to --mode loss only: netem delays all of a node's traffic; drop --from")
	case m == Loss && (spec.LossPercent < 1 || spec.LossPercent > 100):
		return usagef("--loss %d%% must be between 1%% and 100%%, such as --loss 30%%", spec.LossPercent)
	case m != Loss && spec.LossPercent != 0:
		return usagef("--loss applies to --mode loss only, not --mode %s", m)
	case m != Loss && len(spec.From) > 0:
		return usagef("--from applies to --mode loss only (a partition is --mode loss --loss 100%% --from NODE...)")
	}
	return nil
}

// ParsePercent reads "30%" or "30".
func ParsePercent(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if err != nil || n < 1 || n > 100 {
		return 0, usagef("--loss %q is not a share of packets between 1%% and 100%%, such as --loss 30%%", s)
	}
	return n, nil
}

// Describe says the fault in a few words: "loss 30% from sentinel-1".
func (spec Spec) Describe() string {
	var b strings.Builder
	b.WriteString(string(spec.Mode))
	switch spec.Mode {
	case Loss:
		fmt.Fprintf(&b, " %d%%", spec.LossPercent)
	case Delay:
		fmt.Fprintf(&b, " %s", spec.Delay)
		if spec.Jitter > 0 {
			fmt.Fprintf(&b, " ± %s", spec.Jitter)
		}
	}
	if len(spec.From) > 0 {
		fmt.Fprintf(&b, " from %s", strings.Join(spec.From, ", "))
	}
	if spec.For > 0 {
		fmt.Fprintf(&b, " for %s", spec.For)
	}
	return b.String()
}

func names(nodes []topology.Node) []string {
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = n.Service
	}
	return out
}
