// Package readiness tells, from what the sentinels logged, whether they
// can start a failover now, and what trouble they had: a failover they
// tried or aborted, nodes they flagged down, an epoch that moved. A
// sentinel that voted for another or tried a failover itself starts no
// failover of that master for 2 x failover-timeout; it says so only in
// its log ("Next failover delay: ..."), so a lab that looked healthy can
// wait 20 s to fail over. Pure: notes in, verdict out.
package readiness

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/nodelog"
)

// Report is what the sentinels' logs say since a moment.
type Report struct {
	// HeldUntil is the earliest time a sentinel may start a failover, zero
	// when one may now.
	HeldUntil time.Time `json:"held_until,omitempty"`
	// Held are the sentinels held back, each until when.
	Held []Hold `json:"held,omitempty"`
	// Attempts are the failovers the sentinels tried.
	Attempts []Attempt `json:"attempts,omitempty"`
	// Flagged are the nodes sentinels flagged subjectively down.
	Flagged []Flag `json:"flagged,omitempty"`
	// MaxEpoch is the highest epoch the sentinels started.
	MaxEpoch int64 `json:"max_epoch,omitempty"`
}

// Hold is one sentinel that may not start a failover before Until.
type Hold struct {
	Sentinel string    `json:"sentinel"`
	Until    time.Time `json:"until"`
	// Why is what it did: "voted for sentinel-3 in epoch 1", "tried a
	// failover in epoch 1".
	Why string `json:"why"`
	// Logged tells a hold the sentinel wrote itself ("Next failover
	// delay"); otherwise it follows from its vote or attempt.
	Logged bool `json:"logged"`
}

// Attempt is one failover a sentinel started.
type Attempt struct {
	Sentinel string    `json:"sentinel"`
	Epoch    int64     `json:"epoch"`
	At       time.Time `json:"at"`
	// Abort is the -failover-abort-* event that ended it, "" if none did.
	Abort string `json:"abort,omitempty"`
	// Elected tells an attempt that won its election.
	Elected bool `json:"elected"`
}

// Flag is a node one sentinel flagged down, and for how long.
type Flag struct {
	Sentinel string `json:"sentinel"`
	// Node is the address flagged, as the event names it.
	Node string    `json:"node"`
	Kind string    `json:"kind"` // master, slave or sentinel
	From time.Time `json:"from"`
	// For is how long until -sdown, zero when still flagged.
	For time.Duration `json:"for"`
}

// Troubled tells whether the sentinels did anything but watch: a
// failover tried, an epoch started, a node flagged, a hold in force.
func (r Report) Troubled() bool {
	return len(r.Attempts) > 0 || len(r.Flagged) > 0 || r.MaxEpoch > 0 || !r.HeldUntil.IsZero()
}

// Assess reads the notes of the named sentinels (ids maps each sentinel's
// myid to its service, to name the ones voted for) and says what they did
// and whether, at now, one of them may start a failover; failoverTimeout
// is the lab's.
func Assess(notes []nodelog.SentinelNote, sentinels []string, ids map[string]string, failoverTimeout time.Duration, now time.Time) Report {
	var r Report
	holds := map[string]Hold{}
	// hold notes what holds s back; a zero until clears it.
	hold := func(s string, until time.Time, why string, logged bool) {
		if until.IsZero() {
			delete(holds, s)
			return
		}
		// What the sentinel logged is exact (the vote's time is off by up
		// to a second of random desync): it replaces what was derived.
		if h, ok := holds[s]; !ok || logged || until.After(h.Until) {
			if ok && logged && !h.Logged {
				why = h.Why
			}
			holds[s] = Hold{Sentinel: s, Until: until, Why: why, Logged: logged}
		}
	}
	open := map[string]int{} // sentinel+node -> index in r.Flagged
	for _, n := range notes {
		switch n.Kind {
		case nodelog.NoteFailoverDelay:
			hold(n.Sentinel, n.Until, "an earlier failover attempt or vote (its log says so)", true)
		case nodelog.NoteEvent:
			r.event(n, ids, failoverTimeout, hold, open)
		}
	}
	r.Held = heldAfter(holds, now)
	// One free sentinel is enough to start a failover: the others' votes
	// are not held back, only their own attempts.
	if len(r.Held) < len(sentinels) {
		return r
	}
	for _, h := range r.Held {
		if r.HeldUntil.IsZero() || h.Until.Before(r.HeldUntil) {
			r.HeldUntil = h.Until
		}
	}
	return r
}

// heldAfter lists the holds still in force at now, by sentinel.
func heldAfter(holds map[string]Hold, now time.Time) []Hold {
	var out []Hold
	for _, h := range holds {
		if h.Until.After(now) {
			out = append(out, h)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Sentinel < out[j].Sentinel })
	return out
}

func (r *Report) event(n nodelog.SentinelNote, ids map[string]string, timeout time.Duration,
	hold func(string, time.Time, string, bool), open map[string]int) {
	switch {
	case n.Event == "+new-epoch":
		if e := epochOf(n.Detail, 0); e > r.MaxEpoch {
			r.MaxEpoch = e
		}
	case n.Event == "+try-failover":
		r.Attempts = append(r.Attempts, Attempt{Sentinel: n.Sentinel, Epoch: r.MaxEpoch, At: n.Time})
		hold(n.Sentinel, n.Time.Add(2*timeout), "tried a failover", false)
	case n.Event == "+elected-leader":
		if a := r.lastAttempt(n.Sentinel); a != nil {
			a.Elected = true
		}
	case len(n.Event) > len("-failover-abort") && n.Event[:len("-failover-abort")] == "-failover-abort":
		if a := r.lastAttempt(n.Sentinel); a != nil {
			a.Abort = n.Event
		}
	case n.Event == "+vote-for-leader":
		leader, epoch := voteOf(n.Detail, ids)
		if leader != n.Sentinel {
			hold(n.Sentinel, n.Time.Add(2*timeout), "voted for "+leader+" in epoch "+epoch, false)
		}
	case n.Event == "+sdown" || n.Event == "-sdown":
		r.flag(n, open)
	case n.Event == "+switch-master":
		// The switch resets the master's state in sentinel
		// (sentinelResetMaster): the hold of its votes and attempts ends.
		hold(n.Sentinel, time.Time{}, "", false)
	}
}

func (r *Report) lastAttempt(sentinel string) *Attempt {
	for i := len(r.Attempts) - 1; i >= 0; i-- {
		if r.Attempts[i].Sentinel == sentinel {
			return &r.Attempts[i]
		}
	}
	return nil
}

// flag opens a Flag on +sdown and closes it on -sdown. The detail is
// "<kind> <name> <ip> <port> ..."; a replica's name is its ip:port.
func (r *Report) flag(n nodelog.SentinelNote, open map[string]int) {
	f := strings.Fields(n.Detail)
	if len(f) < 4 {
		return
	}
	node, key := f[2]+":"+f[3], n.Sentinel+" "+f[2]+":"+f[3]
	if n.Event == "+sdown" {
		open[key] = len(r.Flagged)
		r.Flagged = append(r.Flagged, Flag{Sentinel: n.Sentinel, Node: node, Kind: f[0], From: n.Time})
		return
	}
	if i, ok := open[key]; ok {
		r.Flagged[i].For = n.Time.Sub(r.Flagged[i].From)
		delete(open, key)
	}
}

// LongestDown is the longest a node stayed flagged, and whether every
// flag seen was of the same window (everyone looked down at once: a
// stalled machine rather than a dead node).
func (r Report) LongestDown() time.Duration {
	var d time.Duration
	for _, f := range r.Flagged {
		d = max(d, f.For)
	}
	return d
}

// FlaggedNodes lists the distinct addresses flagged.
func (r Report) FlaggedNodes() []string {
	var out []string
	for _, f := range r.Flagged {
		if !slices.Contains(out, f.Node) {
			out = append(out, f.Node)
		}
	}
	sort.Strings(out)
	return out
}

// epochOf reads the epoch of "+new-epoch <n>".
func epochOf(detail string, def int64) int64 {
	f := strings.Fields(detail)
	if len(f) == 0 {
		return def
	}
	n, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return def
	}
	return n
}

// voteOf reads "+vote-for-leader <leader id> <epoch>", naming the leader
// by service where ids knows it.
func voteOf(detail string, ids map[string]string) (leader, epoch string) {
	f := strings.Fields(detail)
	if len(f) < 2 {
		return detail, "?"
	}
	if s, ok := ids[f[0]]; ok {
		return s, f[1]
	}
	return f[0][:min(8, len(f[0]))], f[1]
}
