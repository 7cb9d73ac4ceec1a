package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The timers benchmark (issue 13): the failover and soak sections run once
// per timer mode in the same invocation; this section sets fast against
// normal and against the targets.

var (
	timersFlag     = flag.String("timers", "normal,fast", "failover, soak: the timer modes run side by side")
	downAftersFlag = flag.String("down-afters", "1000,300", "failover: the D values (ms) the failover section runs at, each in every timer mode")
)

// Issue 13's targets.
const (
	// fastOverD: failover_ms - D, p50, with fast timers.
	fastOverD = 700 * time.Millisecond
	// fastRejoin: revive's rejoined_ms of the old master, p50.
	fastRejoin = 3 * time.Second
	// fastSoakTotal: the whole 20-round soak with fast timers.
	fastSoakTotal = 120 * time.Second
	// outageRatio: the client's outage p50, fast over normal.
	outageRatio = 0.7
)

func timerModes() []string { return splitList(*timersFlag) }

func downAfterList() []int {
	var out []int
	for _, f := range splitList(*downAftersFlag) {
		if d, err := strconv.Atoi(f); err == nil && d > 0 {
			out = append(out, d)
		}
	}
	return out
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// modeMeasures is what one timer mode's failover and soak sections saw.
type modeMeasures struct {
	// overD and rejoin are, by D, failover_ms - D and the old master's
	// rejoined_ms of every completed round.
	overD, rejoin map[int][]float64
	soak          *soakSummary
	soakRun       *soakRun
}

func (b *Bench) measures(mode string) *modeMeasures {
	b.mu.Lock()
	defer b.mu.Unlock()
	m := b.Measured[mode]
	if m == nil {
		m = &modeMeasures{overD: map[int][]float64{}, rejoin: map[int][]float64{}}
		b.Measured[mode] = m
	}
	return m
}

func (m *modeMeasures) addFailover(D int, rounds []failoverRound) {
	for _, r := range rounds {
		if r.Err != nil || r.Report == nil {
			continue
		}
		m.overD[D] = append(m.overD[D], float64(r.Report.FailoverMS-r.Report.DownAfterMS))
		if r.RejoinMS >= 0 {
			m.rejoin[D] = append(m.rejoin[D], float64(r.RejoinMS))
		}
	}
}

// rejoinedMS reads the old master's rejoined_ms from `revive -o json`; -1
// when it is not there.
func rejoinedMS(out []byte, service string) int64 {
	var rv struct {
		Revived []struct {
			Service    string `json:"service"`
			RejoinedMS int64  `json:"rejoined_ms"`
		} `json:"revived"`
	}
	if json.Unmarshal(out, &rv) != nil {
		return -1
	}
	for _, r := range rv.Revived {
		if r.Service == service {
			return r.RejoinedMS
		}
	}
	return -1
}

func runTimers(_ context.Context, b *Bench) (Section, error) {
	fast, normal := b.Measured["fast"], b.Measured["normal"]
	s := Section{Title: "Timers: fast against normal, side by side in this invocation"}
	s.Text = []string{
		"Issue 13. The failover and soak sections above ran once with `--timers normal` (Sentinel's own periods) and once with `--timers fast` (shorter periods set with SENTINEL DEBUG, see internal/timers), on fresh labs of the same shape, one after the other in this invocation. Every ratio below is fast over normal from these runs; the issue's absolute targets are shown with them.",
	}
	if fast == nil || normal == nil {
		s.Notes = append(s.Notes, "Not judged: this section needs the failover and soak sections run in both timer modes (-timers normal,fast).")
		return s, nil
	}
	for _, D := range downAfterList() {
		f, n := percentile(fast.overD[D], 0.5), percentile(normal.overD[D], 0.5)
		s.Checks = append(s.Checks, Check{
			What:   fmt.Sprintf("failover_ms − D, p50, D = %d ms: fast / normal", D),
			Value:  fmt.Sprintf("%.0f / %.0f ms = %s", f, n, ratioText(f, n)),
			Rounds: min(len(fast.overD[D]), len(normal.overD[D])), Wanted: *failoverRounds,
			Target: fmt.Sprintf("fast ≤ %d ms", fastOverD.Milliseconds()), Met: f <= ms(fastOverD),
		})
		fr, nr := percentile(fast.rejoin[D], 0.5), percentile(normal.rejoin[D], 0.5)
		s.Checks = append(s.Checks, Check{
			What:   fmt.Sprintf("revive, old master rejoined (rejoined_ms), p50, D = %d ms: fast / normal", D),
			Value:  fmt.Sprintf("%.0f / %.0f ms = %s", fr, nr, ratioText(fr, nr)),
			Rounds: min(len(fast.rejoin[D]), len(normal.rejoin[D])), Wanted: *failoverRounds,
			Target: fmt.Sprintf("fast ≤ %d ms", fastRejoin.Milliseconds()), Met: fr <= ms(fastRejoin),
		})
	}
	s.Checks = append(s.Checks, soakChecks(fast, normal)...)
	return s, nil
}

// soakChecks set the fast soak against the normal one.
func soakChecks(fast, normal *modeMeasures) []Check {
	if fast.soak == nil || normal.soak == nil {
		return nil
	}
	fs, ns := fast.soak, normal.soak
	ft, nt := fast.soakRun.Took.Seconds(), normal.soakRun.Took.Seconds()
	fo, no := outageP50(fs), outageP50(ns)
	lost := 0
	clean := 0
	for _, r := range fs.Results {
		lost += r.LostAcked
		if r.OK {
			clean++
		}
	}
	return []Check{
		{
			What:  fmt.Sprintf("soak --rounds %d --load --wait-replicas 1, whole run: fast / normal", fs.Rounds),
			Value: fmt.Sprintf("%.0f / %.0f s = %s", ft, nt, ratioText(ft, nt)), Rounds: fs.Converged, Wanted: fs.Rounds,
			Target: fmt.Sprintf("fast ≤ %.0f s for 20 rounds (%.1f s a round)", fastSoakTotal.Seconds(), fastSoakTotal.Seconds()/20),
			Met:    ft/float64(max(fs.Rounds, 1)) <= fastSoakTotal.Seconds()/20,
		},
		{
			What:  "soak, fast: rounds converged cleanly (one new epoch, no +tilt, CKQUORUM OK) / lost acknowledged writes",
			Value: fmt.Sprintf("%d of %d / %d", clean, fs.Rounds, lost), Rounds: fs.Rounds, Wanted: fs.Rounds,
			Target: "all rounds clean, 0 lost", Met: clean == fs.Rounds && lost == 0,
		},
		{
			What:  "client outage (outage_ms), p50: fast / normal",
			Value: fmt.Sprintf("%.0f / %.0f ms = %s", fo, no, ratioText(fo, no)), Rounds: min(fs.Converged, ns.Converged), Wanted: fs.Rounds,
			Target: fmt.Sprintf("ratio ≤ %.1f", outageRatio), Met: no > 0 && fo/no <= outageRatio,
		},
	}
}

func outageP50(s *soakSummary) float64 {
	if s.OutageMS == nil {
		return 0
	}
	return s.OutageMS.P50
}

func ratioText(a, b float64) string {
	if b == 0 {
		return "no ratio"
	}
	return fmt.Sprintf("%.2f × normal", a/b)
}
