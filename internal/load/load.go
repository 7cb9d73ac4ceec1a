// Package load is the client side of a failover: a writer that goes
// through the sentinels, as an application would, writing sequenced keys
// at a fixed rate around a fault, and then counting what the failover cost
// it: the outage window and the acknowledged writes the new master does
// not have.
package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
	"github.com/sentinel-lab/sentinel-lab/internal/wait"
)

// Options tune the writers.
type Options struct {
	// Rate is writes per second.
	Rate int
	// WaitReplicas makes each write wait (WAIT) for that many replicas
	// before it counts as acknowledged.
	WaitReplicas int
	// Margin keeps writing after the lab converged.
	Margin time.Duration
}

// write is one attempted write.
type write struct {
	seq      int64
	sent     time.Time
	acked    time.Time // zero when not acknowledged
	errClass string
}

// Writer runs the writers of one kill-master: the application's, through
// the sentinels, and for a partition a second one on the isolated old
// master's side.
type Writer struct {
	nodes probe.Nodes
	clock wait.Clock
	opts  Options
	// prefix makes this run's keys unique.
	prefix string

	main     *stream
	isolated *stream
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	stopped  bool
}

// NewWriter prepares the writers on the lab's nodes; nothing runs before
// Start. Times come from clock.
func NewWriter(nodes probe.Nodes, clock wait.Clock, opts Options) *Writer {
	if opts.Rate <= 0 {
		opts.Rate = 100
	}
	if opts.Margin <= 0 {
		opts.Margin = time.Second
	}
	return &Writer{nodes: nodes, clock: clock, opts: opts, prefix: fmt.Sprintf("sentinel-lab:load:%d", clock.Now().UnixNano())}
}

// stream is one client writing sequenced keys.
type stream struct {
	client probe.KeyWriter
	clock  wait.Clock
	prefix string
	wait   int
	// firstAck is closed at the first acknowledged write.
	firstAck chan struct{}

	mu     sync.Mutex
	writes []write
}

func newStream(c probe.KeyWriter, clock wait.Clock, prefix string, waitReplicas int) *stream {
	return &stream{client: c, clock: clock, prefix: prefix, wait: waitReplicas, firstAck: make(chan struct{})}
}

func (s *stream) key(seq int64) string { return s.prefix + ":" + strconv.FormatInt(seq, 10) }

// run writes one key per 1/rate until ctx ends, on a fixed cadence: a slow
// write delays the next one but not the ones after it.
func (s *stream) run(ctx context.Context, rate int) {
	interval := time.Second / time.Duration(rate)
	start := s.clock.Now()
	for seq := int64(1); ; seq++ {
		w := write{seq: seq, sent: s.clock.Now()}
		w.errClass = s.do(ctx, seq)
		if w.errClass == "" {
			w.acked = s.clock.Now()
		}
		s.mu.Lock()
		if w.errClass == "" && !s.acked() {
			close(s.firstAck)
		}
		s.writes = append(s.writes, w)
		s.mu.Unlock()
		next := start.Add(time.Duration(seq) * interval)
		select {
		case <-ctx.Done():
			return
		case <-s.clock.After(max(next.Sub(s.clock.Now()), 0)):
		}
	}
}

// acked tells whether a write was acknowledged yet; the caller holds mu.
func (s *stream) acked() bool {
	select {
	case <-s.firstAck:
		return true
	default:
		return false
	}
}

// do writes one key; it returns "" when acknowledged, else why not.
func (s *stream) do(ctx context.Context, seq int64) string {
	wctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	return classify(s.client.Write(wctx, s.key(seq), seq, s.wait))
}

// classify names why a write failed, briefly.
func classify(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, probe.ErrNotReplicated):
		return "not replicated"
	case errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		return "timeout"
	case errors.Is(err, io.EOF), strings.Contains(err.Error(), "connection reset"), strings.Contains(err.Error(), "broken pipe"):
		return "connection lost"
	case strings.HasPrefix(err.Error(), "NOREPLICAS"):
		return "NOREPLICAS"
	case strings.HasPrefix(err.Error(), "READONLY"):
		return "READONLY"
	case strings.Contains(err.Error(), "connection refused"):
		return "refused"
	}
	return "error"
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func (s *stream) snapshot() []write {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]write(nil), s.writes...)
}

// ackedSeqs lists the acknowledged sequence numbers.
func (s *stream) ackedSeqs() []int64 {
	var out []int64
	for _, w := range s.snapshot() {
		if !w.acked.IsZero() {
			out = append(out, w.seq)
		}
	}
	return out
}

// Start connects the application writer through the sentinels and waits
// until it has written once, so the fault hits a running client.
func (w *Writer) Start(ctx context.Context) error {
	w.main = newStream(w.nodes.AppWriter(), w.clock, w.prefix, w.opts.WaitReplicas)
	runCtx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	w.wg.Go(func() { w.main.run(runCtx, w.opts.Rate) })
	// A bound on real waiting for a lab that cannot take writes, not a
	// time the run measures: wall time even on a test's clock.
	bound := time.NewTimer(5 * time.Second)
	defer bound.Stop()
	select {
	case <-w.main.firstAck:
		return nil
	case <-ctx.Done():
		w.halt()
		return ctx.Err()
	case <-bound.C:
		w.halt()
		return fmt.Errorf("the load writer could not write through the sentinels for 5s; is the lab healthy? (sentinel-lab status)")
	}
}

// halt stops the writers and closes their clients.
func (w *Writer) halt() {
	if w.stopped {
		return
	}
	w.stopped = true
	w.cancel()
	w.wg.Wait()
	w.main.client.Close()
	if w.isolated != nil {
		w.isolated.client.Close()
	}
}

// Faulted starts, for a partition, a second writer on the isolated old
// master's side at isolatedAddr: a client that still reaches it keeps
// writing to it. "" (any other fault) starts nothing.
func (w *Writer) Faulted(_ context.Context, isolatedAddr string) error {
	if isolatedAddr == "" {
		return nil
	}
	w.isolated = newStream(w.nodes.NodeWriter(isolatedAddr), w.clock, w.prefix+":isolated", 0)
	runCtx, cancel := context.WithCancel(context.Background())
	prev := w.cancel
	w.cancel = func() { prev(); cancel() }
	w.wg.Go(func() { w.isolated.run(runCtx, w.opts.Rate) })
	return nil
}

// Stop keeps writing for the margin once the lab converged on newMaster,
// stops, and counts what the failover cost: outage and lost acknowledged
// writes, checked on the new master. A newMaster without an address (no
// failover) skips the margin and the check. A second Stop does nothing.
func (w *Writer) Stop(ctx context.Context, faultAt time.Time, newMaster topology.NodeRef) (*Result, error) {
	if w.main == nil || w.stopped {
		return nil, nil
	}
	if newMaster.Address != "" {
		select {
		case <-ctx.Done():
		case <-w.clock.After(w.opts.Margin):
		}
	}
	// The clients stay open for the checks below; halt closes them.
	w.cancel()
	w.wg.Wait()
	defer w.halt()
	res := &Result{Rate: w.opts.Rate, WaitReplicas: w.opts.WaitReplicas, KeyPrefix: w.prefix}
	res.summarize(w.main.snapshot(), faultAt)
	if w.isolated != nil {
		res.Isolated = isolatedResult(w.isolated, faultAt)
	}
	if newMaster.Address != "" {
		lost, err := Missing(ctx, w.nodes, newMaster.Address, w.prefix, w.main.ackedSeqs())
		if err != nil {
			return res, fmt.Errorf("counting the lost writes on %s: %w", newMaster.Service, err)
		}
		res.LostAcked, res.LostRanges = len(lost), Ranges(lost)
	}
	return res, nil
}

// Missing returns which of seqs have no key prefix:<seq> on the data node
// at addr.
func Missing(ctx context.Context, nodes probe.Nodes, addr, prefix string, seqs []int64) ([]int64, error) {
	keys := make([]string, len(seqs))
	bySeq := make(map[string]int64, len(seqs))
	for i, seq := range seqs {
		keys[i] = prefix + ":" + strconv.FormatInt(seq, 10)
		bySeq[keys[i]] = seq
	}
	missing, err := nodes.Missing(ctx, addr, keys)
	if err != nil {
		return nil, fmt.Errorf("checking the acknowledged writes: %w", err)
	}
	out := make([]int64, len(missing))
	for i, k := range missing {
		out[i] = bySeq[k]
	}
	return out, nil
}
