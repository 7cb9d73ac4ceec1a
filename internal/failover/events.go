// Package failover faults a lab's master and records what follows: every
// sentinel event with its time, the moments the sentinels and nodes reach
// the new state, and the resync when a faulted node comes back.
package failover

import (
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/probe"
)

// Event is one sentinel event, as published on the sentinel's own pub/sub
// channels (the lines the seed document annotates).
type Event struct {
	// Sentinel is the service that published it.
	Sentinel string `json:"sentinel"`
	// AtMS is the time it arrived, in ms since the fault took effect
	// (negative before).
	AtMS int64 `json:"at_ms"`
	// Type is the channel: +sdown, +odown, +switch-master, ...
	Type string `json:"type"`
	// Detail is the message as published.
	Detail string `json:"detail"`
	// Explanation says what it means, in a few words.
	Explanation string `json:"explanation,omitempty"`

	at time.Time
}

// Recorder collects events from every sentinel, in arrival order. It
// reads the subscriptions itself, whenever it is asked (Events, Seen,
// Close), rather than in goroutines of its own: what was delivered before
// the question is in the answer. A reader goroutine could hold a message
// it had taken but not yet added, and on a fake clock, which runs no wall
// time between polls, a failover's whole watch could end before that
// goroutine ran again. The subscriptions stamp each message as it arrives
// and buffer it; the watch asks on every poll, so they never fill.
type Recorder struct {
	mu     sync.Mutex
	events []Event
	subs   []recorded
}

// recorded is one sentinel's subscription.
type recorded struct {
	sentinel string
	sub      probe.Subscription
	ended    bool // its channel was closed
}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder { return &Recorder{} }

// Record starts recording the events of one sentinel's subscription.
func (r *Recorder) Record(sentinel string, sub probe.Subscription) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.subs = append(r.subs, recorded{sentinel: sentinel, sub: sub})
}

// drain adds what every subscription delivered so far, without waiting
// for more; the caller holds mu.
func (r *Recorder) drain() {
	for i := range r.subs {
		for r.take(&r.subs[i]) {
		}
	}
}

// take adds the next message of rs if one is waiting; the caller holds mu.
func (r *Recorder) take(rs *recorded) bool {
	if rs.ended {
		return false
	}
	select {
	case msg, ok := <-rs.sub.Messages():
		if !ok {
			rs.ended = true
			return false
		}
		r.add(rs.sentinel, msg)
		return true
	default:
		return false
	}
}

// add records msg; the caller holds mu.
func (r *Recorder) add(sentinel string, msg probe.Message) {
	r.events = append(r.events, Event{Sentinel: sentinel, Type: msg.Channel, Detail: msg.Payload, at: msg.At})
}

// Close stops every subscription, once what arrived is recorded.
func (r *Recorder) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rs := range r.subs {
		rs.sub.Close()
	}
	// A subscription's channel closes once its last message is read.
	for i := range r.subs {
		rs := &r.subs[i]
		for msg := range rs.sub.Messages() {
			r.add(rs.sentinel, msg)
		}
		rs.ended = true
	}
}

// Events returns the events so far with times relative to t0, in time order.
func (r *Recorder) Events(t0 time.Time) []Event {
	r.mu.Lock()
	r.drain()
	out := append([]Event(nil), r.events...)
	r.mu.Unlock()
	for i := range out {
		out[i].AtMS = out[i].at.Sub(t0).Milliseconds()
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	return out
}

// Seen tells whether sentinel published an event of type typ.
func (r *Recorder) Seen(sentinel, typ string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.drain()
	for _, e := range r.events {
		if e.Sentinel == sentinel && e.Type == typ {
			return true
		}
	}
	return false
}

// Instance is the subject of an event: "<type> <name> <ip> <port>", and for
// replicas and sentinels "@ <master-name> <master-ip> <master-port>" after.
type Instance struct {
	// Kind is master, slave or sentinel; Name the master name, the
	// replica's ip:port or the sentinel's myid; Addr its ip:port.
	Kind, Name, Addr string
}

// ParseInstance reads the subject of an event's detail.
func ParseInstance(detail string) (Instance, bool) {
	f := strings.Fields(detail)
	if len(f) < 4 {
		return Instance{}, false
	}
	return Instance{Kind: f[0], Name: f[1], Addr: f[2] + ":" + f[3]}, true
}
