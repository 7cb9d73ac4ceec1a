// Package probetest holds a scripted fake of a lab's Redis nodes and
// sentinels behind probe.Nodes: a small model of who is up, who replicates
// whom and where each sentinel says the master is, changed by steps that
// take effect when a fake clock reaches their time. Unit tests of the
// failover logic run on it in no wall time.
package probetest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
	"github.com/sentinel-lab/sentinel-lab/internal/wait"
)

// ErrDown is what a node that does not answer returns.
var ErrDown = errors.New("dial tcp: connect: connection refused")

// Fake is the nodes of one lab. The zero value is not usable; call New.
type Fake struct {
	mu     sync.Mutex
	lab    *topology.Lab
	clock  wait.Clock
	origin time.Time
	state  *State
	steps  []step
	subs   map[string][]*subscription
	calls  []string
	doFunc func(n topology.Node, args []any) (any, error)
	closed bool
}

type step struct {
	at time.Duration
	fn func(*State)
}

// New returns the nodes of a healthy lab: the initial master with every
// replica linked, every sentinel naming it and seeing everyone. Steps are
// timed from now on clock.
func New(lab *topology.Lab, clock wait.Clock) *Fake {
	f := &Fake{lab: lab, clock: clock, origin: clock.Now(), subs: map[string][]*subscription{}}
	f.state = newState(lab, f)
	return f
}

// At schedules fn to change the model once the clock is d after the
// fake's start. Steps run in time order, each once.
func (f *Fake) At(d time.Duration, fn func(*State)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.steps = append(f.steps, step{at: d, fn: fn})
	sort.SliceStable(f.steps, func(i, j int) bool { return f.steps[i].at < f.steps[j].at })
}

// Rebase times the steps still to come from now on the clock, and drops
// those already due: a test scripts what follows its own start.
func (f *Fake) Rebase() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.advance()
	f.origin = f.clock.Now()
}

// Elapsed is how long after the fake's start (or its last Rebase) the
// clock is.
func (f *Fake) Elapsed() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.clock.Now().Sub(f.origin)
}

// After schedules fn to change the model d from now on the clock.
func (f *Fake) After(d time.Duration, fn func(*State)) {
	f.mu.Lock()
	at := f.clock.Now().Sub(f.origin) + d
	f.mu.Unlock()
	f.At(at, fn)
}

// Answers tells whether a node or sentinel answers now.
func (f *Fake) Answers(service string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return !f.state.isDown(service)
}

// Now changes the model at once.
func (f *Fake) Now(fn func(*State)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f.state)
}

// OnDo answers Do; without it Do fails.
func (f *Fake) OnDo(fn func(n topology.Node, args []any) (any, error)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.doFunc = fn
}

// Lab is the topology the fake answers for.
func (f *Fake) Lab() *topology.Lab { return f.lab }

// Calls lists what was asked, "Node master", "MasterAddr sentinel-1", ...
func (f *Fake) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// Closed tells whether Close was called.
func (f *Fake) Closed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

// advance runs the steps that are due; the caller holds mu.
func (f *Fake) advance() {
	elapsed := f.clock.Now().Sub(f.origin)
	for len(f.steps) > 0 && f.steps[0].at <= elapsed {
		s := f.steps[0]
		f.steps = f.steps[1:]
		f.state.at = f.origin.Add(s.at)
		s.fn(f.state)
	}
}

// begin runs due steps and records the call; the caller must unlock.
func (f *Fake) begin(call string) {
	f.mu.Lock()
	f.advance()
	f.calls = append(f.calls, call)
}

// Node answers from the model.
func (f *Fake) Node(_ context.Context, n topology.Node) probe.NodeInfo {
	f.begin("Node " + n.Service)
	defer f.mu.Unlock()
	return f.state.nodeInfo(n)
}

// Sentinel answers from the model.
func (f *Fake) Sentinel(_ context.Context, n topology.Node) probe.SentinelView {
	f.begin("Sentinel " + n.Service)
	defer f.mu.Unlock()
	return f.state.sentinelView(n)
}

// MasterAddr answers where the sentinel says the master is.
func (f *Fake) MasterAddr(_ context.Context, n topology.Node) (string, error) {
	f.begin("MasterAddr " + n.Service)
	defer f.mu.Unlock()
	s := f.state.sentinels[n.Service]
	if s == nil || s.down {
		return "", ErrDown
	}
	return s.named, nil
}

// Subscribe returns a stream that receives what State.Publish sends.
func (f *Fake) Subscribe(_ context.Context, n topology.Node) (probe.Subscription, error) {
	f.begin("Subscribe " + n.Service)
	defer f.mu.Unlock()
	if s := f.state.sentinels[n.Service]; s == nil || s.down {
		return nil, fmt.Errorf("subscribing to %s's events: %w", n.Service, ErrDown)
	}
	sub := &subscription{ch: make(chan probe.Message, 1024)}
	f.subs[n.Service] = append(f.subs[n.Service], sub)
	return sub, nil
}

// Do answers SENTINEL DEBUG from the model (periods a restart loses) and
// hands any other command to the OnDo function.
func (f *Fake) Do(_ context.Context, n topology.Node, args ...any) (any, error) {
	call := "Do " + n.Service
	for _, a := range args {
		call += " " + fmt.Sprint(a)
	}
	f.begin(call)
	fn, down := f.doFunc, f.state.isDown(n.Service)
	if !down && isSentinelDebug(n, args) {
		defer f.mu.Unlock()
		return f.state.sentinelDebug(n.Service, args[2:])
	}
	f.mu.Unlock()
	if down {
		return nil, ErrDown
	}
	if fn == nil {
		return nil, fmt.Errorf("probetest: no reply to %v on %s (use OnDo)", args, n.Service)
	}
	return fn(n, args)
}

// AppWriter writes to whichever data node is master in the model, as a
// client following the sentinels' choice would.
func (f *Fake) AppWriter() probe.KeyWriter { return &writer{f: f} }

// NodeWriter writes to the node at addr.
func (f *Fake) NodeWriter(addr string) probe.KeyWriter { return &writer{f: f, addr: addr} }

// Missing tells which keys the node at addr lacks.
func (f *Fake) Missing(_ context.Context, addr string, keys []string) ([]string, error) {
	f.begin("Missing " + addr)
	defer f.mu.Unlock()
	n := f.state.nodeAt(addr)
	if n == nil || n.down {
		return nil, ErrDown
	}
	var out []string
	for _, k := range keys {
		if !n.keys[k] {
			out = append(out, k)
		}
	}
	return out, nil
}

// Close ends every subscription.
func (f *Fake) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	for _, list := range f.subs {
		for _, s := range list {
			s.Close()
		}
	}
}

var _ probe.Nodes = (*Fake)(nil)

type subscription struct {
	mu     sync.Mutex
	ch     chan probe.Message
	closed bool
}

func (s *subscription) Messages() <-chan probe.Message { return s.ch }

func (s *subscription) send(m probe.Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.ch <- m
	}
}

func (s *subscription) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.ch)
	}
	return nil
}

// writer is a load client of the model.
type writer struct {
	f    *Fake
	addr string // "" follows the master
}

func (w *writer) Write(_ context.Context, key string, _ int64, waitReplicas int) error {
	w.f.begin("Write " + key)
	defer w.f.mu.Unlock()
	return w.f.state.write(w.addr, key, waitReplicas)
}

func (w *writer) Close() error { return nil }
