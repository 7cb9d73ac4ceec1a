package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The start-up benchmark (issue 3): time from the start command to a
// healthy lab, sentinel-lab against plain compose on the same rendered
// files followed by the same health wait.

var startupUnseeded = flag.Bool("startup-unseeded", true,
	"startup: also time a compose baseline on un-seeded confs (no sentinel myid/known-* lines, default repl-diskless-sync-delay)")

// startupTarget: sentinel-lab takes at most half the baseline's time.
const startupTarget = 0.5

// startVariant is one way of bringing a freshly rendered lab to healthy.
type startVariant struct {
	// key goes into lab names; name into the tables.
	key, name string
	// prepare edits the rendered lab before the timed part; nil leaves it
	// as rendered.
	prepare func(l *runLab) error
	start   func(ctx context.Context, b *Bench, l *runLab) (startTiming, error)
}

// startTiming splits one timed start: Total runs from the start of the
// start command to the first healthy poll; Command until the command had
// started the containers, Wait the rest.
type startTiming struct {
	Total, Command, Wait time.Duration
}

var (
	composeSeeded = startVariant{key: "c", name: "compose", start: startCompose}
	sentinelLabUp = startVariant{key: "s", name: "sentinel-lab", start: startSentinelLab}
	composeBare   = startVariant{key: "u", name: "compose (un-seeded confs)", prepare: unseed, start: startCompose}
)

// startCompose times `<compose> -p <lab> -f <dir>/compose/docker-compose.yml
// up -d`, then the health wait, on one clock.
func startCompose(ctx context.Context, b *Bench, l *runLab) (startTiming, error) {
	hw, err := openHealthWait(l)
	if err != nil {
		return startTiming{}, err
	}
	defer hw.Close()
	t0 := time.Now()
	if err := b.compose(ctx, l, "up", "-d"); err != nil {
		return startTiming{}, err
	}
	started := time.Now()
	if _, err := hw.until(ctx, b.Timeout); err != nil {
		return startTiming{}, fmt.Errorf("after compose up: %w", err)
	}
	end := time.Now()
	return startTiming{Total: end.Sub(t0), Command: started.Sub(t0), Wait: end.Sub(started)}, nil
}

// upResult is the part of `up -o json` the benchmark reads.
type upResult struct {
	AlreadyUp      bool     `json:"already_up"`
	Created        []string `json:"created"`
	HealthyAfterMS int64    `json:"healthy_after_ms"`
}

// startSentinelLab times `sentinel-lab up` as a process, from exec to exit
// (it exits once healthy). Its own healthy_after_ms (containers started to
// healthy) splits the total.
func startSentinelLab(ctx context.Context, b *Bench, l *runLab) (startTiming, error) {
	before, err := composeDigest(l)
	if err != nil {
		return startTiming{}, err
	}
	t0 := time.Now()
	out, err := b.sentinelLab(ctx, "up", "--dir", l.Dir, "--timeout", b.Timeout.String(), "-o", "json")
	total := time.Since(t0)
	if err != nil {
		return startTiming{}, err
	}
	var res upResult
	if err := json.Unmarshal(out, &res); err != nil {
		return startTiming{}, fmt.Errorf("reading `up -o json`: %w\n%s", err, out)
	}
	if res.AlreadyUp || len(res.Created) == 0 {
		return startTiming{}, fmt.Errorf("up created nothing on a fresh lab: %s", out)
	}
	// Both variants must start the very files that were rendered.
	if after, err := composeDigest(l); err != nil || after != before {
		return startTiming{}, fmt.Errorf("up changed the rendered compose files (or they cannot be read: %v)", err)
	}
	wait := time.Duration(res.HealthyAfterMS) * time.Millisecond
	return startTiming{Total: total, Command: total - wait, Wait: wait}, nil
}

// composeDigest is a hash of compose/docker-compose.yml and compose/.env.
func composeDigest(l *runLab) (string, error) {
	h := sha256.New()
	for _, f := range []string{l.ComposeFile(), filepath.Join(l.Dir, "compose", ".env")} {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		h.Write(b)
	}
	return fmt.Sprintf("%x", h.Sum(nil)), nil
}

// unseed makes the rendered confs what a hand-written compose lab has.
func unseed(l *runLab) error {
	confs, err := filepath.Glob(filepath.Join(l.Dir, "data", "*", "data", "*.conf"))
	if err != nil {
		return err
	}
	if len(confs) == 0 {
		return fmt.Errorf("no confs under %s/data", l.Dir)
	}
	for _, path := range confs {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		info, err := os.Stat(path)
		if err != nil {
			return err
		}
		if err := os.WriteFile(path, unseedConf(b), info.Mode().Perm()); err != nil {
			return err
		}
	}
	return nil
}

// seedingLines are what sentinel-lab adds to the confs to make a lab
// healthy sooner: the sentinels' ids and what they would otherwise learn
// from INFO and hello messages, and no wait before a diskless sync.
var seedingLines = []string{
	"sentinel myid ",
	"sentinel known-replica ",
	"sentinel known-sentinel ",
	"repl-diskless-sync-delay ",
}

// unseedConf drops the seeding lines of a redis.conf or sentinel.conf.
func unseedConf(conf []byte) []byte {
	var out bytes.Buffer
	for _, line := range strings.SplitAfter(string(conf), "\n") {
		seeding := false
		for _, p := range seedingLines {
			if strings.HasPrefix(strings.TrimSpace(line), p) {
				seeding = true
			}
		}
		if !seeding {
			out.WriteString(line)
		}
	}
	return out.Bytes()
}

// startRun is one run of one variant.
type startRun struct {
	seq     int
	round   int // <= 0: a warm-up, not counted
	variant *startVariant
	timing  startTiming
	err     error
	others  int // other containers running when it began
}

func runStartup(ctx context.Context, b *Bench) (Section, error) {
	variants := []*startVariant{&composeSeeded, &sentinelLabUp}
	if *startupUnseeded {
		variants = append(variants, &composeBare)
	}
	var (
		runs     []startRun
		downErrs []string
		seq      int
	)
	for round := 1 - b.Warmup; round <= b.Runs; round++ {
		for _, v := range variants {
			if ctx.Err() != nil {
				return Section{}, ctx.Err()
			}
			seq++
			r := startRun{seq: seq, round: round, variant: v, others: b.observe(ctx).count()}
			var downErr error
			r.timing, r.err, downErr = b.startOnce(ctx, v)
			if downErr != nil {
				downErrs = append(downErrs, fmt.Sprintf("after run %d (%s): %v", seq, v.name, downErr))
			}
			b.Log.Printf("startup %s: %s", roundName(round), describeRun(r))
			runs = append(runs, r)
		}
	}
	return startupSection(b, variants, runs, downErrs), nil
}

// startOnce renders a fresh lab, prepares it, times its start, checks it
// is healthy, and removes it.
func (b *Bench) startOnce(ctx context.Context, v *startVariant) (t startTiming, runErr, downErr error) {
	l, err := b.newLab(ctx, v.key)
	defer func() { downErr = b.down(ctx, l) }()
	if err != nil {
		return t, err, nil
	}
	if v.prepare != nil {
		if err := v.prepare(l); err != nil {
			return t, err, nil
		}
	}
	if t, err = v.start(ctx, b, l); err != nil {
		return t, err, nil
	}
	// Untimed: the lab must be healthy now, seen by a fresh prober.
	hw, err := openHealthWait(l)
	if err != nil {
		return t, err, nil
	}
	defer hw.Close()
	health, version := hw.check(ctx)
	if !health.Healthy {
		return t, fmt.Errorf("declared healthy, but a fresh probe says: %s", health.Condition()), nil
	}
	if b.RedisVersion == "" {
		b.RedisVersion = version
	}
	return t, nil, nil
}

func roundName(round int) string {
	if round <= 0 {
		return "warm-up"
	}
	return fmt.Sprintf("run %d", round)
}

func describeRun(r startRun) string {
	if r.err != nil {
		return fmt.Sprintf("%s failed: %v", r.variant.name, r.err)
	}
	return fmt.Sprintf("%s %ss (start command %ss, health wait %ss)", r.variant.name,
		seconds(r.timing.Total), seconds(r.timing.Command), seconds(r.timing.Wait))
}

// totals are the counted runs' totals of v, in round order, nil where a
// run failed, so the i-th entries of two variants are neighbours.
func totals(runs []startRun, v *startVariant, rounds int) []*time.Duration {
	out := make([]*time.Duration, rounds)
	for _, r := range runs {
		if r.variant == v && r.round >= 1 && r.err == nil {
			d := r.timing.Total
			out[r.round-1] = &d
		}
	}
	return out
}

func startupSection(b *Bench, variants []*startVariant, runs []startRun, downErrs []string) Section {
	compose := strings.Join(b.Compose, " ")
	s := Section{Title: "Start-up: from the start command to a healthy lab"}
	s.Text = []string{
		fmt.Sprintf("Issue 3. Target: `sentinel-lab up` takes at most %.0f%% of the time plain `%s up -d` plus the same health wait takes, on the same rendered compose file. The issue places the gain in sentinel discovery (hello every 2 s, replicas learned from INFO), which a rendered sentinel.conf skips by naming its peers and replicas. So the target is checked twice: against plain compose on the confs a hand-written lab has (**compose (un-seeded confs)** below), which is where seeding pays; and against plain compose on the very same, seeded confs, which leaves only what creating and starting the containers through the Engine API saves.", startupTarget*100, compose),
		fmt.Sprintf("Each run renders a fresh lab directory with `sentinel-lab render` (product defaults: 1 master, 2 replicas, 3 sentinels; plus a lab name unique to the run, free host ports, a free subnet and the image `%s`, resolved once before any timed run). Both variants then start those files unchanged (`up` is checked not to alter the compose file or .env); only the name, ports, subnet, password and sentinel ids differ from run to run. After each run the lab is removed with `sentinel-lab down --volumes` and checked gone by its compose project label.", b.Image),
		fmt.Sprintf("**compose** (the baseline): the clock starts before `%s -p <lab> -f <dir>/compose/docker-compose.yml up -d` is executed, and stops at the first healthy poll after it returns. The health wait is sentinel-lab's own, run from the benchmark: `lab.Open` on the rendered directory, its `probe.Prober`, and `probe.Evaluate` polled every %d ms with `internal/wait` (every sentinel agrees on the master, sees both replicas and both other sentinels, CKQUORUM OK; the master reports both replicas online).", compose, pollInterval.Milliseconds()),
		"**sentinel-lab**: the clock starts before `bin/sentinel-lab up --dir <dir> -o json` is executed and stops when the process exits; `up` exits once the same health evaluation holds (it polls every 100 ms too, and also lists the lab's containers each poll to catch one that exited). Its `healthy_after_ms` (containers started to healthy) splits the total into start command and health wait.",
		fmt.Sprintf("Variants alternate within each round (%s), %d warm-up round(s) first (shown, not counted), then %d counted rounds. The ratio of a round is sentinel-lab's total over the compose total of the same round; the result is the median of those ratios. Every run is checked healthy afterwards by a fresh probe, untimed.", variantOrder(variants), b.Warmup, b.Runs),
	}
	if *startupUnseeded {
		s.Text = append(s.Text, "**compose (un-seeded confs)** (the baseline of the first target row): the same rendered lab, but before the clock starts the `sentinel myid`, `sentinel known-replica` and `sentinel known-sentinel` lines are removed from every sentinel.conf and `repl-diskless-sync-delay 0` from every redis.conf (so Redis's default of 5 s applies): what a hand-written compose lab has. Started and waited for like the baseline.")
	}

	composeTotals := totals(runs, &composeSeeded, b.Runs)
	slTotals := totals(runs, &sentinelLabUp, b.Runs)
	ratios := pairRatios(slTotals, composeTotals)
	if *startupUnseeded {
		bareTotals := totals(runs, &composeBare, b.Runs)
		r := pairRatios(slTotals, bareTotals)
		s.Results = append(s.Results, Result{
			What:  fmt.Sprintf("sentinel-lab up / %s up -d + health wait on the confs of a hand-written lab (un-seeded)", compose),
			Ratio: median(r), Pairs: len(r), Wanted: b.Runs, Target: startupTarget,
		})
	}
	s.Results = append(s.Results, Result{
		What:  fmt.Sprintf("sentinel-lab up / %s up -d + health wait on the same, seeded confs (the Engine API path alone)", compose),
		Ratio: median(ratios), Pairs: len(ratios), Wanted: b.Runs, Target: startupTarget,
	})
	if *startupUnseeded {
		bareTotals := totals(runs, &composeBare, b.Runs)
		r := pairRatios(composeTotals, bareTotals)
		s.Results = append(s.Results, Result{
			What:  "compose on seeded confs / compose on un-seeded confs",
			Ratio: median(r), Pairs: len(r), Wanted: b.Runs,
		})
	}

	s.Results = append(s.Results, issue13Startup(runs, ratios, b.Runs)...)

	s.Tables = append(s.Tables, summaryTable(runs, variants), runsTable(runs))
	if len(ratios) > 0 {
		s.Notes = append(s.Notes, fmt.Sprintf("Round ratios (sentinel-lab / compose): %s. Ratio of the medians instead: %.2f.",
			formatRatios(ratios), medianOf(slTotals)/medianOf(composeTotals)))
	}
	if len(downErrs) > 0 {
		s.Notes = append(s.Notes, "Removing a lab failed (leftovers were then removed by label): "+strings.Join(downErrs, "; "))
	}
	return s
}

// medianOf is the median, in seconds, of the runs that completed.
func medianOf(ds []*time.Duration) float64 {
	var xs []float64
	for _, d := range ds {
		if d != nil {
			xs = append(xs, d.Seconds())
		}
	}
	return median(xs)
}

func variantOrder(vs []*startVariant) string {
	var names []string
	for _, v := range vs {
		names = append(names, v.name)
	}
	return strings.Join(names, ", then ")
}

func formatRatios(rs []float64) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%.2f", r)
	}
	return strings.Join(parts, ", ")
}

func summaryTable(runs []startRun, variants []*startVariant) Table {
	t := Table{
		Caption: "Counted runs, per variant (seconds):",
		Columns: []string{"variant", "runs ok", "median total", "min", "max", "median start command", "median health wait"},
	}
	for _, v := range variants {
		var total, cmd, wait []time.Duration
		failed := 0
		for _, r := range runs {
			if r.variant != v || r.round < 1 {
				continue
			}
			if r.err != nil {
				failed++
				continue
			}
			total = append(total, r.timing.Total)
			cmd = append(cmd, r.timing.Command)
			wait = append(wait, r.timing.Wait)
		}
		ok := fmt.Sprintf("%d", len(total))
		if failed > 0 {
			ok += fmt.Sprintf(" (%d failed)", failed)
		}
		if len(total) == 0 {
			t.Rows = append(t.Rows, []string{v.name, ok, "-", "-", "-", "-", "-"})
			continue
		}
		lo, hi := total[0], total[0]
		for _, d := range total {
			lo, hi = min(lo, d), max(hi, d)
		}
		t.Rows = append(t.Rows, []string{v.name, ok, seconds(medianDuration(total)), seconds(lo), seconds(hi),
			seconds(medianDuration(cmd)), seconds(medianDuration(wait))})
	}
	return t
}

func runsTable(runs []startRun) Table {
	t := Table{
		Caption: "Every run, in the order run (seconds; \"others\" is how many other containers were running on the machine when it began):",
		Columns: []string{"#", "round", "variant", "total", "start command", "health wait", "others"},
	}
	for _, r := range runs {
		round := roundName(r.round)
		if r.round <= 0 {
			round += " (not counted)"
		}
		row := []string{fmt.Sprintf("%d", r.seq), round, r.variant.name}
		if r.err != nil {
			row = append(row, "failed: "+shorten(r.err.Error(), 300), "-", "-")
		} else {
			row = append(row, seconds(r.timing.Total), seconds(r.timing.Command), seconds(r.timing.Wait))
		}
		t.Rows = append(t.Rows, append(row, fmt.Sprintf("%d", r.others)))
	}
	return t
}

// shorten puts an error on one line of at most n bytes, for a table cell.
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n] + " ..."
	}
	return s
}

// Issue 13's start-up targets: up at most 1.3 x its own start command (the
// staged start leaves little to wait for once the containers run), and at
// most 0.6 x plain compose plus the same wait on the same confs.
const (
	upOverStartTarget   = 1.3
	upOverComposeTarget = 0.6
)

// issue13Startup are those two ratios. The start command includes up's
// staged start: the wait for the master to answer before the replicas and
// sentinels are started is part of it, not of the health wait.
func issue13Startup(runs []startRun, overCompose []float64, rounds int) []Result {
	var own []float64
	for _, r := range runs {
		if r.variant == &sentinelLabUp && r.round >= 1 && r.err == nil && r.timing.Command > 0 {
			own = append(own, float64(r.timing.Total)/float64(r.timing.Command))
		}
	}
	return []Result{
		{
			What:  "issue 13: sentinel-lab up's total / its own start command (render, create and staged start of the containers)",
			Ratio: median(own), Pairs: len(own), Wanted: rounds, Target: upOverStartTarget,
		},
		{
			What:  "issue 13: sentinel-lab up / compose up -d + health wait on the same, seeded confs",
			Ratio: median(overCompose), Pairs: len(overCompose), Wanted: rounds, Target: upOverComposeTarget,
		},
	}
}
