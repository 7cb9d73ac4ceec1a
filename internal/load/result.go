package load

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Result is what the application writer saw during one failover. Times are
// in ms relative to the moment the fault took effect.
type Result struct {
	Rate         int    `json:"rate"`
	WaitReplicas int    `json:"wait_replicas"`
	KeyPrefix    string `json:"key_prefix"`
	Attempted    int    `json:"attempted"`
	Acked        int    `json:"acked"`
	Failed       int    `json:"failed"`
	// Failures counts failed writes by cause (timeout, refused, READONLY, ...).
	Failures map[string]int `json:"failures"`
	// OutageMS is the gap from the last write acknowledged before the
	// fault's effect to the first acknowledged after it.
	OutageMS      int64 `json:"outage_ms"`
	OutageStartMS int64 `json:"outage_start_ms"`
	OutageEndMS   int64 `json:"outage_end_ms"`
	// Recovered is false when no write was acknowledged after the fault:
	// the outage was still open when the client stopped, and OutageMS is
	// then a lower bound.
	Recovered bool `json:"recovered"`
	// LongestGapMS is the longest time between two acknowledgements in the
	// whole run.
	LongestGapMS int64 `json:"longest_gap_ms"`
	// LostAcked counts acknowledged writes the new master does not have.
	LostAcked  int      `json:"lost_acked"`
	LostRanges []string `json:"lost_ranges"`
	// Series is the run in 100 ms buckets, for a chart.
	Series []Point `json:"series"`
	// Isolated is the second writer of a partition, on the old master's side.
	Isolated *Isolated `json:"isolated,omitempty"`
}

// Point is one 100 ms bucket of the run.
type Point struct {
	TMS    int64 `json:"t_ms"`
	Acked  int   `json:"acked"`
	Failed int   `json:"failed"`
}

// Isolated is what a client on the isolated old master's side saw: the old
// master keeps acknowledging writes that the rest of the lab never gets.
type Isolated struct {
	KeyPrefix string `json:"key_prefix"`
	Attempted int    `json:"attempted"`
	Acked     int    `json:"acked"`
	// Refused counts writes the old master refused itself (NOREPLICAS once
	// min-replicas-to-write no longer holds).
	Refused int `json:"refused"`
	// LastAckMS is when the old master acknowledged a write for the last time.
	LastAckMS int64 `json:"last_ack_ms"`
	// AckedRanges are the acknowledged sequence numbers, to check later.
	AckedRanges []string `json:"acked_ranges"`
}

const bucket = 100 * time.Millisecond

func (r *Result) summarize(writes []write, faultAt time.Time) {
	r.Failures = map[string]int{}
	r.LostRanges = []string{}
	ms := func(t time.Time) int64 { return t.Sub(faultAt).Milliseconds() }
	var prev, last *write
	for i := range writes {
		last = &writes[i]
		w := &writes[i]
		r.Attempted++
		if w.acked.IsZero() {
			r.Failed++
			r.Failures[w.errClass]++
			continue
		}
		r.Acked++
		if prev != nil {
			gap := w.acked.Sub(prev.acked)
			if ms := gap.Milliseconds(); ms > r.LongestGapMS {
				r.LongestGapMS = ms
			}
			if w.acked.After(faultAt) && gap.Milliseconds() > r.OutageMS {
				r.OutageMS, r.OutageStartMS, r.OutageEndMS = gap.Milliseconds(), ms(prev.acked), ms(w.acked)
			}
		}
		if w.acked.After(faultAt) {
			r.Recovered = true
		}
		prev = w
	}
	if !r.Recovered && prev != nil && last != nil && last.sent.After(prev.acked) {
		// Nothing acknowledged after the fault: the outage runs at least
		// until the last write tried.
		r.OutageStartMS, r.OutageEndMS = ms(prev.acked), ms(last.sent)
		r.OutageMS = r.OutageEndMS - r.OutageStartMS
		r.LongestGapMS = max(r.LongestGapMS, r.OutageMS)
	}
	if len(writes) == 0 {
		return
	}
	start := writes[0].sent
	n := int(writes[len(writes)-1].sent.Sub(start)/bucket) + 1
	r.Series = make([]Point, n)
	for i := range r.Series {
		r.Series[i].TMS = ms(start.Add(time.Duration(i) * bucket))
	}
	for _, w := range writes {
		if w.acked.IsZero() {
			r.Series[min(int(w.sent.Sub(start)/bucket), n-1)].Failed++
		} else {
			r.Series[min(int(w.acked.Sub(start)/bucket), n-1)].Acked++
		}
	}
}

func isolatedResult(s *stream, faultAt time.Time) *Isolated {
	res := &Isolated{KeyPrefix: s.prefix, AckedRanges: []string{}}
	var acked []int64
	for _, w := range s.snapshot() {
		res.Attempted++
		switch {
		case !w.acked.IsZero():
			res.Acked++
			acked = append(acked, w.seq)
			res.LastAckMS = w.acked.Sub(faultAt).Milliseconds()
		case w.errClass == "NOREPLICAS":
			res.Refused++
		}
	}
	res.AckedRanges = Ranges(acked)
	return res
}

// Ranges writes sorted sequence numbers compactly: 1-5, 9, 12-13.
func Ranges(seqs []int64) []string {
	s := append([]int64(nil), seqs...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	out := []string{}
	for i := 0; i < len(s); {
		j := i
		for j+1 < len(s) && s[j+1] == s[j]+1 {
			j++
		}
		if i == j {
			out = append(out, strconv.FormatInt(s[i], 10))
		} else {
			out = append(out, fmt.Sprintf("%d-%d", s[i], s[j]))
		}
		i = j + 1
	}
	return out
}

// ParseRanges reads what Ranges wrote.
func ParseRanges(ranges []string) ([]int64, error) {
	var out []int64
	for _, r := range ranges {
		lo, hi, isRange := strings.Cut(r, "-")
		a, err := strconv.ParseInt(lo, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("range %q: %w", r, err)
		}
		b := a
		if isRange {
			if b, err = strconv.ParseInt(hi, 10, 64); err != nil {
				return nil, fmt.Errorf("range %q: %w", r, err)
			}
		}
		for v := a; v <= b; v++ {
			out = append(out, v)
		}
	}
	return out, nil
}
