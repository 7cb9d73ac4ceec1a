// Package timers owns the sentinels' periods a lab runs with: the modes a
// user chooses (normal, fast), the values each sets with SENTINEL DEBUG,
// why those values, and how a sentinel is read, compared and set. The
// periods are process-wide and never written to sentinel.conf, so a
// sentinel that restarts comes back with the defaults: Ensure finds such a
// sentinel and sets them again.
package timers

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Mode is the set of periods a lab's sentinels run with.
type Mode string

// The modes a lab can run.
const (
	// Normal is Sentinel's own defaults: what production runs, so a
	// learner sees the failover as it happens there. The default.
	Normal Mode = "normal"
	// Fast shortens the periods a failover and a rejoin wait on.
	Fast Mode = "fast"
	// Mixed is what a sentinel reports when its periods are neither set
	// (set by hand, or by an older sentinel-lab).
	Mixed Mode = "custom"
)

// Modes lists the modes a user can choose, for help and errors.
func Modes() []Mode { return []Mode{Normal, Fast} }

// Parse reads a mode as a user writes it.
func Parse(s string) (Mode, error) {
	m := Mode(strings.ToLower(strings.TrimSpace(s)))
	if m == "" {
		return Normal, nil
	}
	if !slices.Contains(Modes(), m) {
		return "", fmt.Errorf("%q is not normal or fast; use --timers normal (Sentinel's own periods) or --timers fast (shorter periods, set with SENTINEL DEBUG)", s)
	}
	return m, nil
}

// Setting is one SENTINEL DEBUG option and its value in milliseconds.
type Setting struct {
	Option string
	MS     int64
}

// Setting names, as SENTINEL DEBUG takes them (it answers in capitals).
const (
	InfoPeriod      = "info-period"
	PingPeriod      = "ping-period"
	AskPeriod       = "ask-period"
	PublishPeriod   = "publish-period"
	ReconnectPeriod = "min-link-reconnect-period"
)

// normal are Sentinel's defaults (sentinel.c) of the options fast changes;
// a lab back on normal timers sets them again, so a sentinel does not keep
// the fast ones until it restarts.
var normal = []Setting{
	{InfoPeriod, 10000}, {PingPeriod, 1000}, {PublishPeriod, 2000}, {ReconnectPeriod, 15000},
}

// fast are the shorter periods. Each is bounded by what sentinel.c does
// with it, not by trial alone:
//
//   - ping-period 300. A sentinel pings an instance once its last reply is
//     older than min(down-after, ping-period), and counts down-after from
//     the first unanswered ping: a crash is seen after down-after plus up
//     to one ping-period (1 s at D >= 1 s). It cannot go much lower: once
//     the master is subjectively down, replica selection skips a replica
//     whose last INFO is older than 5 x ping-period, and replicas of a
//     master that is down (or whose link is down) get INFO on a hard-coded
//     1 s cadence. 5 x 300 = 1.5 s leaves half a second over that cadence
//     for the 100 ms timer tick and a stalled machine; 5 x 200 = 1 s would
//     abort failovers with -failover-abort-no-good-slave.
//   - info-period 500 and publish-period 250. A revived old master is
//     turned into a replica only once it has reported role:master for
//     4 x publish-period (the hello period), checked when its INFO comes,
//     every info-period: 4 x 250 = 1 s, seen within 0.5 s, instead of 8 s
//     seen on a 10 s cadence. Hellos every 250 ms from each sentinel to
//     each node are still a few hundred bytes a second.
//   - min-link-reconnect-period 2000. A link whose pings stay unanswered
//     (a paused or disconnected node) is dropped and dialed again at most
//     this often; after a partition heals the sentinel reconnects within
//     2 s, not 15 s.
//
// Left alone: ask-period (1 s), though a shorter one would turn a
// crash into ODOWN sooner. A sentinel that sees the master down asks its
// peers every ask-period; at 100 ms all three reach ODOWN, and start an
// election, within the same moment, each votes for itself, no one gets a
// majority (-failover-abort-not-elected in every log) and none may try
// again for 2 x failover-timeout: a 22 s failover. Measured on this
// 2-core machine with two busy loops beside the lab, 10 fast kill-master
// rounds each: 1 of 10 took 22.5 s at ask-period 100, 0 of 10 at 1000,
// with the same median. Also left alone: the promoted replica is awaited on the hard-coded 1 s INFO
// cadence (+promoted-slave 0-1 s after SLAVEOF NO ONE, whatever is set),
// tilt-trigger and tilt-period (fast timers must not make a stalled
// machine TILT more often, and a TILT still lasts what it lasts), and
// election-timeout (it only matters when an election fails).
var fast = []Setting{
	{InfoPeriod, 500}, {PingPeriod, 300}, {PublishPeriod, 250}, {ReconnectPeriod, 2000},
}

// Settings are the values mode sets on every sentinel.
func (m Mode) Settings() []Setting {
	if m == Fast {
		return slices.Clone(fast)
	}
	return slices.Clone(normal)
}

// Summary is the mode with its values, for status and reports: "fast
// (info-period 500 ms, ping-period 300 ms, ...)".
func (m Mode) Summary() string {
	var parts []string
	for _, s := range m.Settings() {
		parts = append(parts, fmt.Sprintf("%s %d ms", s.Option, s.MS))
	}
	return fmt.Sprintf("%s (%s)", m, strings.Join(parts, ", "))
}

// Values are the periods one sentinel runs with, by option in lower case.
type Values map[string]int64

// ParseReply reads what `SENTINEL DEBUG` without arguments answers: option
// names and values in turn (RESP2 flat array of strings or integers, RESP3
// a map).
func ParseReply(reply any) (Values, error) {
	out := Values{}
	add := func(k, v any) error {
		name := strings.ToLower(fmt.Sprint(k))
		switch x := v.(type) {
		case int64:
			out[name] = x
		case string:
			n, err := strconv.ParseInt(x, 10, 64)
			if err != nil {
				return fmt.Errorf("SENTINEL DEBUG: %s is %q, not a number", name, x)
			}
			out[name] = n
		default:
			return fmt.Errorf("SENTINEL DEBUG: %s is %v (%T), not a number", name, v, v)
		}
		return nil
	}
	switch r := reply.(type) {
	case []any:
		if len(r)%2 != 0 {
			return nil, fmt.Errorf("SENTINEL DEBUG answered %d items, not option and value pairs", len(r))
		}
		for i := 0; i < len(r); i += 2 {
			if err := add(r[i], r[i+1]); err != nil {
				return nil, err
			}
		}
	case map[any]any:
		for k, v := range r {
			if err := add(k, v); err != nil {
				return nil, err
			}
		}
	default:
		return nil, fmt.Errorf("SENTINEL DEBUG answered %v (%T), not a list of options", reply, reply)
	}
	return out, nil
}

// Differ lists the settings of m that v does not hold.
func (v Values) Differ(m Mode) []Setting {
	var out []Setting
	for _, s := range m.Settings() {
		if got, ok := v[s.Option]; !ok || got != s.MS {
			out = append(out, s)
		}
	}
	return out
}

// Mode tells which mode v is: normal, fast, or custom when neither.
func (v Values) Mode() Mode {
	for _, m := range Modes() {
		if len(v.Differ(m)) == 0 {
			return m
		}
	}
	return Mixed
}

// Command is the SENTINEL DEBUG call that sets settings.
func Command(settings []Setting) []any {
	args := []any{"SENTINEL", "DEBUG"}
	for _, s := range settings {
		args = append(args, s.Option, strconv.FormatInt(s.MS, 10))
	}
	return args
}

// Unsupported tells a reply that says the server has no SENTINEL DEBUG
// (Redis 6.2: "ERR Unknown subcommand or wrong number of arguments for
// 'DEBUG'").
func Unsupported(err error) bool {
	if err == nil {
		return false
	}
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "unknown subcommand") && strings.Contains(msg, "debug")
}
