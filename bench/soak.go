package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/soak"
)

// The soak benchmark (issue 5): `sentinel-lab soak --load --wait-replicas 1`
// on a lab with a small D, and what the failovers cost the client writing
// through them.

var soakRounds = flag.Int("soak-rounds", 20, "soak: rounds of the soak (issue 5's target is about 20 in a row)")

const (
	// outageAllowance: p50 of outage_ms is at most D + 1500 ms.
	outageAllowance = 1500 * time.Millisecond
	// soakWaitReplicas is the --wait-replicas the soak's writer uses; with
	// it, no acknowledged write may be lost in a clean kill.
	soakWaitReplicas = 1
)

// The soak's JSON, as `sentinel-lab soak -o json` writes it.
type (
	soakSummary = soak.Summary
	soakStats   = soak.Stats
	soakRound   = soak.Round
)

// measured tells a round whose kill-master completed, so its times and
// lost writes were measured (a round can be measured and still not have
// converged cleanly, e.g. with a second epoch).
func failedOver(r soakRound) bool { return r.NewMaster != "" }

// soakRun is how the soak ran, for the section.
type soakRun struct {
	D      time.Duration
	Rounds int
	Took   time.Duration
	// ExitErr is the soak's own failure, if any (it exits non-zero when a
	// round did not converge cleanly, still printing its summary).
	ExitErr error
	Others  int
	Timers  string
}

// runSoaks runs the soak once per timer mode of -timers.
func runSoaks(ctx context.Context, b *Bench) ([]Section, error) {
	var out []Section
	for _, mode := range timerModes() {
		sec, err := runSoak(ctx, b, mode)
		if err != nil {
			return out, fmt.Errorf("%s timers: %w", mode, err)
		}
		out = append(out, sec)
	}
	return out, nil
}

func runSoak(ctx context.Context, b *Bench, mode string) (sec Section, err error) {
	l, err := b.newLab(ctx, "k"+mode[:1], "--down-after", strconv.Itoa(*downAfterMS), "--timers", mode)
	defer func() {
		if downErr := b.down(ctx, l); downErr != nil {
			b.Log.Printf("soak: removing the lab: %v", downErr)
			sec.Notes = append(sec.Notes, "Removing the lab failed (leftovers were then removed by label): "+shorten(downErr.Error(), 300))
		}
	}()
	if err != nil {
		return Section{}, err
	}
	if err := b.upLab(ctx, l); err != nil {
		return Section{}, err
	}
	hw, err := openHealthWait(l)
	if err != nil {
		return Section{}, err
	}
	_, err = hw.until(ctx, b.Timeout)
	hw.Close()
	if err != nil {
		return Section{}, fmt.Errorf("the soak lab was not healthy: %w", err)
	}
	run := soakRun{D: time.Duration(*downAfterMS) * time.Millisecond, Rounds: *soakRounds, Others: b.observe(ctx).count(), Timers: mode}
	b.Log.Printf("soak: %d rounds of kill-master --load and revive (about 15 s each)", run.Rounds)
	t0 := time.Now()
	out, soakErr := b.sentinelLab(ctx, "soak", "--dir", l.Dir, "--rounds", strconv.Itoa(run.Rounds),
		"--load", "--wait-replicas", strconv.Itoa(soakWaitReplicas), "-o", "json")
	run.Took, run.ExitErr = time.Since(t0), soakErr
	var sum soakSummary
	if err := json.Unmarshal(out, &sum); err != nil {
		if soakErr != nil {
			return Section{}, soakErr
		}
		return Section{}, fmt.Errorf("reading `soak -o json`: %w\n%s", err, shorten(string(out), 400))
	}
	for _, r := range sum.Results {
		b.Log.Printf("soak round %d (%s timers): %s", r.N, mode, describeSoakRound(r))
	}
	b.measures(mode).soak, b.measures(mode).soakRun = &sum, &run
	return soakSection(run, &sum), nil
}

func describeSoakRound(r soakRound) string {
	s := fmt.Sprintf("%s -> %s, failover %d ms, outage %d ms, lost %d", r.OldMaster, r.NewMaster, r.FailoverMS, r.OutageMS, r.LostAcked)
	if !r.OK {
		s += "; NOT clean: " + strings.Join(r.Problems, "; ")
	}
	return s
}

func soakSection(run soakRun, sum *soakSummary) Section {
	D := run.D.Milliseconds()
	s := Section{Title: fmt.Sprintf("Soak (%s timers): rounds of failover under a client's writes", run.Timers)}
	s.Text = []string{
		fmt.Sprintf("Issue 5. Targets: the %d rounds run here converge, in a row (the issue asks for 20); 0 lost acknowledged writes in every round of a clean kill with `--wait-replicas %d`; p50 of the client's outage window at most D + %d ms (the issue notes that a hand-written compose lab with the same client saw about D + 1400 to 1600 ms; that baseline is not re-run here, so every time is given against D).",
			run.Rounds, soakWaitReplicas, outageAllowance.Milliseconds()),
		fmt.Sprintf("One fresh lab (rendered like the start-up labs, plus `--down-after %d --timers "+run.Timers+"`: D = %d ms), brought up with `sentinel-lab up` and checked healthy, then one invocation of `sentinel-lab soak --rounds %d --load --wait-replicas %d -o json`: each round is `kill-master` (SIGKILL) with the writer running (go-redis's sentinel-aware FailoverClient, 100 writes/s, each write a SET followed by `WAIT 1 200` on the same connection, acknowledged only when a replica has it) and `revive`; a round converges cleanly with exactly one new epoch, no `+tilt` and `SENTINEL CKQUORUM` OK before and after. `outage_ms` is the longest gap between two acknowledged writes that ends after the fault; `lost_acked` counts acknowledged writes the new master does not have.",
			D, D, run.Rounds, soakWaitReplicas),
		fmt.Sprintf("The soak took %s in all; %d other containers were running on the machine when it began. Percentiles are nearest-rank, as the soak computes them, over every round whose kill-master completed (also those that did not converge cleanly: their client still saw that outage).",
			run.Took.Round(time.Second), run.Others),
	}

	var fo, out []float64
	lostRounds := []string{}
	totalLost, measured := 0, 0
	for _, r := range sum.Results {
		if !failedOver(r) {
			continue
		}
		measured++
		fo = append(fo, float64(r.FailoverMS))
		out = append(out, float64(r.OutageMS))
		if r.LostAcked > 0 {
			lostRounds = append(lostRounds, fmt.Sprintf("round %d: %d", r.N, r.LostAcked))
			totalLost += r.LostAcked
		}
	}

	lost := fmt.Sprintf("0 in each of %d rounds", measured)
	if len(lostRounds) > 0 {
		lost = fmt.Sprintf("%d in all, in %d of %d rounds (%s)", totalLost, len(lostRounds), measured, strings.Join(lostRounds, ", "))
	}
	outP50 := percentile(out, 0.50)
	outTarget := float64(D + outageAllowance.Milliseconds())
	s.Checks = []Check{
		{
			What:   "rounds that converged cleanly",
			Value:  fmt.Sprintf("%d of %d", sum.Converged, sum.Rounds),
			Rounds: len(sum.Results), Wanted: run.Rounds,
			Target: fmt.Sprintf("%d of %d", run.Rounds, run.Rounds),
			Met:    sum.Converged == run.Rounds && sum.Rounds == run.Rounds,
		},
		{
			What:   fmt.Sprintf("lost acknowledged writes (--wait-replicas %d)", soakWaitReplicas),
			Value:  lost,
			Rounds: measured, Wanted: run.Rounds,
			Target: "0 in every round",
			Met:    len(lostRounds) == 0,
		},
		{
			What:   "p50 of outage_ms",
			Value:  fmt.Sprintf("%.0f ms = D + %.0f ms (%.2f × D)", outP50, outP50-float64(D), outP50/float64(D)),
			Rounds: measured, Wanted: run.Rounds,
			Target: fmt.Sprintf("≤ D + %d ms = %.0f ms", outageAllowance.Milliseconds(), outTarget),
			Met:    outP50 <= outTarget,
		},
		{
			What:   "outage_ms: p50 / p95 / max",
			Value:  againstD(out, D),
			Rounds: measured, Wanted: run.Rounds,
		},
		{
			What:   "failover_ms: p50 / p95 / max",
			Value:  againstD(fo, D),
			Rounds: measured, Wanted: run.Rounds,
		},
	}

	if run.ExitErr != nil {
		s.Notes = append(s.Notes, "`sentinel-lab soak` exited non-zero: "+shorten(run.ExitErr.Error(), 400))
	}
	if measured < run.Rounds {
		s.Notes = append(s.Notes, fmt.Sprintf("Only %d of %d rounds completed their kill-master; the others are shown below with their problems.", measured, run.Rounds))
	}
	if note := summaryMismatch(sum, fo, out); note != "" {
		s.Notes = append(s.Notes, note)
	}
	s.Tables = append(s.Tables, soakTable(sum, D))
	return s
}

// againstD formats p50 / p95 / max, each as ms and as D + ms.
func againstD(xs []float64, D int64) string {
	p50, p95, hi := percentile(xs, 0.50), percentile(xs, 0.95), percentile(xs, 1)
	d := float64(D)
	return fmt.Sprintf("%.0f / %.0f / %.0f ms (D %+.0f / %+.0f / %+.0f ms)", p50, p95, hi, p50-d, p95-d, hi-d)
}

// summaryMismatch compares the soak's own summary (over the rounds that
// converged cleanly) with the benchmark's (over the measured rounds): they
// differ only when a measured round did not converge, or when the soak's
// arithmetic is wrong.
func summaryMismatch(sum *soakSummary, fo, out []float64) string {
	mine := soakStats{P50: percentile(fo, 0.5), P95: percentile(fo, 0.95), Max: percentile(fo, 1)}
	var parts []string
	if sum.FailoverMS != mine {
		parts = append(parts, fmt.Sprintf("failover_ms %.0f / %.0f / %.0f", sum.FailoverMS.P50, sum.FailoverMS.P95, sum.FailoverMS.Max))
	}
	if sum.OutageMS != nil {
		mineOut := soakStats{P50: percentile(out, 0.5), P95: percentile(out, 0.95), Max: percentile(out, 1)}
		if *sum.OutageMS != mineOut {
			parts = append(parts, fmt.Sprintf("outage_ms %.0f / %.0f / %.0f", sum.OutageMS.P50, sum.OutageMS.P95, sum.OutageMS.Max))
		}
	} else {
		parts = append(parts, "no outage_ms at all (was --load honoured?)")
	}
	if len(parts) == 0 {
		return ""
	}
	return "The soak's own summary (over the rounds that converged cleanly) differs from the numbers above: " + strings.Join(parts, "; ") + " (p50 / p95 / max)."
}

func soakTable(sum *soakSummary, D int64) Table {
	t := Table{
		Caption: "Every round, in the order run (ms after the fault request):",
		Columns: []string{"#", "clean", "old → new", "failover_ms", "− D", "converged_ms", "outage_ms", "− D", "lost acked", "epoch", "problems"},
	}
	for _, r := range sum.Results {
		clean := "yes"
		if !r.OK {
			clean = "**no**"
		}
		problems := "-"
		if len(r.Problems) > 0 {
			problems = shorten(strings.Join(r.Problems, "; "), 300)
		}
		epoch := fmt.Sprintf("%d → %d", r.EpochBefore, r.EpochAfter)
		if !failedOver(r) {
			t.Rows = append(t.Rows, []string{strconv.Itoa(r.N), clean, "-", "-", "-", "-", "-", "-", "-", epoch, problems})
			continue
		}
		t.Rows = append(t.Rows, []string{strconv.Itoa(r.N), clean, r.OldMaster + " → " + r.NewMaster,
			strconv.FormatInt(r.FailoverMS, 10), fmt.Sprintf("%+d", r.FailoverMS-D),
			strconv.FormatInt(r.ConvergedMS, 10),
			strconv.FormatInt(r.OutageMS, 10), fmt.Sprintf("%+d", r.OutageMS-D),
			strconv.Itoa(r.LostAcked), epoch, problems})
	}
	return t
}
