// Package load is the client side of a failover: a writer that goes
// through go-redis's sentinel-aware FailoverClient, as an application
// would, writing sequenced keys at a fixed rate around a fault, and then
// counting what the failover cost it: the outage window and the
// acknowledged writes the new master does not have.
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

	"github.com/redis/go-redis/v9"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
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

// Writer runs the writers of one kill-master. It implements
// failover.Workload.
type Writer struct {
	l    *lab.Lab
	pr   *probe.Prober
	opts Options
	// prefix makes this run's keys unique.
	prefix string

	main     *stream
	isolated *stream
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	stopped  bool
}

// NewWriter prepares the writers; nothing runs before Start.
func NewWriter(l *lab.Lab, pr *probe.Prober, opts Options) *Writer {
	if opts.Rate <= 0 {
		opts.Rate = 100
	}
	if opts.Margin <= 0 {
		opts.Margin = time.Second
	}
	return &Writer{l: l, pr: pr, opts: opts, prefix: fmt.Sprintf("sentinel-lab:load:%d", time.Now().UnixNano())}
}

// stream is one client writing sequenced keys.
type stream struct {
	name   string
	client redis.UniversalClient
	prefix string
	wait   int

	mu     sync.Mutex
	writes []write
}

func (s *stream) key(seq int64) string { return s.prefix + ":" + strconv.FormatInt(seq, 10) }

// run writes one key per tick until ctx ends.
func (s *stream) run(ctx context.Context, rate int) {
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	for seq := int64(1); ; seq++ {
		w := write{seq: seq, sent: time.Now()}
		w.errClass = s.do(ctx, seq)
		if w.errClass == "" {
			w.acked = time.Now()
		}
		s.mu.Lock()
		s.writes = append(s.writes, w)
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// do writes one key; it returns "" when acknowledged, else why not.
func (s *stream) do(ctx context.Context, seq int64) string {
	wctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	if s.wait == 0 {
		return classify(s.client.Set(wctx, s.key(seq), seq, 0).Err())
	}
	// SET and WAIT on one connection: WAIT counts the replicas that have
	// this connection's writes.
	var wait *redis.Cmd
	_, err := s.client.Pipelined(wctx, func(p redis.Pipeliner) error {
		p.Set(wctx, s.key(seq), seq, 0)
		wait = p.Do(wctx, "wait", s.wait, 200) // at most 200 ms
		return nil
	})
	if err != nil {
		return classify(err)
	}
	if n, err := wait.Int64(); err != nil || n < int64(s.wait) {
		return "not replicated"
	}
	return ""
}

// classify names why a write failed, briefly.
func classify(err error) string {
	switch {
	case err == nil:
		return ""
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

// Start connects the application writer through the sentinels and waits
// until it has written once, so the fault hits a running client.
func (w *Writer) Start(ctx context.Context) error {
	var sentinels []string
	for _, n := range w.l.Topology.Sentinels() {
		sentinels = append(sentinels, n.Addr.String())
	}
	client := redis.NewFailoverClient(&redis.FailoverOptions{
		MasterName: w.l.Config.MasterName, SentinelAddrs: sentinels,
		Password: w.pr.Password(), SentinelPassword: w.pr.Password(),
		Dialer:      w.pr.Dialer().DialContext,
		DialTimeout: 200 * time.Millisecond, ReadTimeout: 300 * time.Millisecond, WriteTimeout: 300 * time.Millisecond,
		MaxRetries: -1, PoolSize: 4, Protocol: 2, DisableIdentity: true,
	})
	w.main = &stream{name: "application", client: client, prefix: w.prefix, wait: w.opts.WaitReplicas}
	runCtx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	w.wg.Go(func() { w.main.run(runCtx, w.opts.Rate) })
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, wr := range w.main.snapshot() {
			if !wr.acked.IsZero() {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			w.halt()
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	w.halt()
	return fmt.Errorf("the load writer could not write through the sentinels for 5s; is the lab healthy? (sentinel-lab status)")
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
// master's side: a client that still reaches it keeps writing to it.
func (w *Writer) Faulted(ctx context.Context, f failover.FaultInfo) error {
	if f.IsolatedAddr == "" {
		return nil
	}
	opts := w.pr.Options(f.IsolatedAddr)
	opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout = 200*time.Millisecond, 300*time.Millisecond, 300*time.Millisecond
	w.isolated = &stream{name: "isolated", client: redis.NewClient(opts), prefix: w.prefix + ":isolated"}
	runCtx, cancel := context.WithCancel(context.Background())
	prev := w.cancel
	w.cancel = func() { prev(); cancel() }
	w.wg.Go(func() { w.isolated.run(runCtx, w.opts.Rate) })
	return nil
}

// Stop keeps writing for the margin, stops, and counts what the failover
// cost: outage and lost acknowledged writes, checked on the new master.
func (w *Writer) Stop(ctx context.Context, faultAt time.Time, r *failover.Report) (any, error) {
	if w.main == nil || w.stopped {
		return nil, nil
	}
	if r.NewMaster.Address != "" {
		select {
		case <-ctx.Done():
		case <-time.After(w.opts.Margin):
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
	if r.NewMaster.Address != "" {
		lost, err := w.missing(ctx, r.NewMaster.Address, w.main)
		if err != nil {
			return res, fmt.Errorf("counting the lost writes on %s: %w", r.NewMaster.Service, err)
		}
		res.LostAcked, res.LostRanges = len(lost), Ranges(lost)
	}
	return res, nil
}

// missing returns the acknowledged writes of s that the node at addr does
// not have.
func (w *Writer) missing(ctx context.Context, addr string, s *stream) ([]int64, error) {
	var acked []int64
	for _, wr := range s.snapshot() {
		if !wr.acked.IsZero() {
			acked = append(acked, wr.seq)
		}
	}
	return Missing(ctx, w.pr.DataClient(addr), s.prefix, acked)
}

// Missing returns which of seqs have no key prefix:<seq> on client's node.
func Missing(ctx context.Context, c *redis.Client, prefix string, seqs []int64) ([]int64, error) {
	var lost []int64
	for start := 0; start < len(seqs); start += 500 {
		batch := seqs[start:min(start+500, len(seqs))]
		keys := make([]string, len(batch))
		for i, seq := range batch {
			keys[i] = prefix + ":" + strconv.FormatInt(seq, 10)
		}
		vals, err := c.MGet(ctx, keys...).Result()
		if err != nil {
			return nil, fmt.Errorf("checking the acknowledged writes: %w", err)
		}
		for i, v := range vals {
			if v == nil {
				lost = append(lost, batch[i])
			}
		}
	}
	return lost, nil
}
