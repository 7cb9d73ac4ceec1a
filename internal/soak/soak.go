// Package soak runs kill-master and revive round after round and checks each
// round converged cleanly: one new epoch, no TILT, a quorum before and
// after. It summarises what the failovers cost.
package soak

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/fault"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/load"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/timers"
)

// Options tune a soak.
type Options struct {
	Rounds  int
	Fault   fault.Spec
	Timeout time.Duration
	// Load runs the client writer in every round.
	Load     bool
	LoadOpts load.Options
	// OnRound, when set, is called after each round.
	OnRound func(Round)
}

// Round is one kill-master and revive.
type Round struct {
	N           int    `json:"round"`
	OK          bool   `json:"ok"`
	OldMaster   string `json:"old_master,omitempty"`
	NewMaster   string `json:"new_master,omitempty"`
	FailoverMS  int64  `json:"failover_ms"`
	ConvergedMS int64  `json:"converged_ms"`
	OutageMS    int64  `json:"outage_ms"`
	// Attempted and Acked count the client's writes (with --load).
	Attempted int `json:"attempted"`
	Acked     int `json:"acked"`
	LostAcked int `json:"lost_acked"`
	// SplitBrainLost counts what a partitioned old master acknowledged to
	// a client on its side and dropped when it rejoined (--mode disconnect).
	SplitBrainLost int   `json:"split_brain_lost"`
	EpochBefore    int64 `json:"epoch_before"`
	EpochAfter     int64 `json:"epoch_after"`
	// Problems say why a round did not converge cleanly.
	Problems []string `json:"problems"`
}

// Summary is the whole soak.
type Summary struct {
	Rounds      int    `json:"rounds"`
	Converged   int    `json:"converged"`
	Mode        string `json:"mode"`
	DownAfterMS int64  `json:"down_after_ms"`
	// Timers are the sentinel periods the lab ran: normal or fast.
	Timers     timers.Mode `json:"timers"`
	Load       bool        `json:"load"`
	FailoverMS Stats       `json:"failover_ms"`
	OutageMS   *Stats      `json:"outage_ms,omitempty"`
	LostAcked  *Stats      `json:"lost_acked,omitempty"`
	// SplitBrainLost is there for partitions with --load.
	SplitBrainLost *Stats  `json:"split_brain_lost,omitempty"`
	Results        []Round `json:"results"`
}

// Stats are percentiles of one measure over the rounds whose failover
// completed.
type Stats struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	Max float64 `json:"max"`
}

// Run soaks the lab.
func Run(ctx context.Context, s *lab.Session, o Options) (*Summary, error) {
	sum := &Summary{Rounds: o.Rounds, Mode: string(o.Fault.Mode), DownAfterMS: s.Lab.Config.DownAfterMS(), Load: o.Load,
		Timers: s.Lab.Config.Timers}
	for n := 1; n <= o.Rounds; n++ {
		if ctx.Err() != nil {
			return sum, ctx.Err()
		}
		r := round(ctx, s, o, n)
		sum.Results = append(sum.Results, r)
		if r.OK {
			sum.Converged++
		}
		if o.OnRound != nil {
			o.OnRound(r)
		}
	}
	sum.summarize()
	return sum, nil
}

// summarize computes the percentiles. Every round whose failover completed
// counts, converged cleanly or not: its client saw that outage either way.
func (s *Summary) summarize() {
	var fo, out, lost, split []float64
	for _, r := range s.Results {
		if r.NewMaster == "" {
			continue
		}
		fo = append(fo, float64(r.FailoverMS))
		out = append(out, float64(r.OutageMS))
		lost = append(lost, float64(r.LostAcked))
		split = append(split, float64(r.SplitBrainLost))
	}
	s.FailoverMS = stats(fo)
	if s.Load {
		os, ls := stats(out), stats(lost)
		s.OutageMS, s.LostAcked = &os, &ls
		if s.Mode == string(fault.Disconnect) {
			sb := stats(split)
			s.SplitBrainLost = &sb
		}
	}
}

func round(ctx context.Context, s *lab.Session, o Options, n int) Round {
	r := Round{N: n, Problems: []string{}}
	fail := func(format string, args ...any) { r.Problems = append(r.Problems, fmt.Sprintf(format, args...)) }

	r.EpochBefore = quorumCheck(ctx, s, "before", fail)
	opts := failover.Options{Fault: o.Fault, Timeout: o.Timeout}
	if o.Load {
		opts.Workload = load.NewWriter(s.Nodes(), s.Time(), o.LoadOpts)
	}
	rep, err := failover.KillMaster(ctx, s, opts)
	if err != nil {
		fail("kill-master: %v", err)
		// Bring whatever was faulted back, so the next round starts clean.
		if _, rerr := failover.Revive(ctx, s, failover.ReviveOptions{Timeout: o.Timeout}); rerr != nil {
			fail("revive: %v", rerr)
		}
		return r
	}
	r.OldMaster, r.NewMaster = rep.OldMaster.Service, rep.NewMaster.Service
	r.FailoverMS, r.ConvergedMS = rep.FailoverMS, rep.ConvergedMS
	if res := rep.Load; res != nil {
		r.OutageMS, r.LostAcked = res.OutageMS, res.LostAcked
		r.Attempted, r.Acked = res.Attempted, res.Acked
	}
	for _, p := range eventProblems(rep.Events) {
		fail("%s", p)
	}
	rv, err := failover.Revive(ctx, s, failover.ReviveOptions{Timeout: o.Timeout, SplitBrain: rep.PendingSplitBrain()})
	if err != nil {
		fail("revive: %v", err)
		return r
	}
	if rv.SplitBrain != nil {
		r.SplitBrainLost = rv.SplitBrain.Lost
	}
	r.EpochAfter = quorumCheck(ctx, s, "after", fail)
	if r.EpochAfter != r.EpochBefore+1 {
		fail("epoch went from %d to %d, want exactly one new epoch", r.EpochBefore, r.EpochAfter)
	}
	r.OK = len(r.Problems) == 0
	return r
}

// eventProblems are what a clean failover does not publish: TILT, or more
// than one new epoch (an election that had to be retried).
func eventProblems(events []failover.Event) []string {
	var out []string
	epochs := map[string]bool{}
	for _, e := range events {
		switch e.Type {
		case "+tilt":
			out = append(out, fmt.Sprintf("%s entered TILT mode at %+d ms", e.Sentinel, e.AtMS))
		case "+new-epoch":
			epochs[e.Detail] = true
		}
	}
	if len(epochs) != 1 {
		out = append(out, fmt.Sprintf("%d new epochs in one failover (%s), want exactly one: an election had to be retried", len(epochs), strings.Join(keys(epochs), ", ")))
	}
	return out
}

// quorumCheck checks every sentinel answers OK to CKQUORUM and returns the
// highest config epoch they report.
func quorumCheck(ctx context.Context, s *lab.Session, when string, fail func(string, ...any)) int64 {
	var epoch int64
	for _, v := range probe.SentinelViews(ctx, s.Nodes(), s.Lab.Topology) {
		if !v.QuorumOK {
			reply := v.QuorumReply
			if !v.Reachable {
				reply = "does not answer: " + v.Error
			}
			fail("%s CKQUORUM %s the failover: %s", v.Service, when, reply)
		}
		epoch = max(epoch, v.ConfigEpoch)
	}
	return epoch
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// stats computes nearest-rank percentiles.
func stats(v []float64) Stats {
	if len(v) == 0 {
		return Stats{}
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	rank := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(s)))) - 1
		return s[max(i, 0)]
	}
	return Stats{P50: rank(0.50), P95: rank(0.95), Max: s[len(s)-1]}
}
