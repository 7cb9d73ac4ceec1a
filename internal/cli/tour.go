package cli

import (
	"bufio"
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
	"github.com/sentinel-lab/sentinel-lab/internal/present"
	"github.com/sentinel-lab/sentinel-lab/internal/tour"
)

type tourOptions struct {
	waitLock bool
	f        *Factory
	flags    *configFlags
	timeout  time.Duration
	output   string
	lang     present.Lang
	step     bool
	report   string
}

func newTourCommand(f *Factory, runF func(context.Context, *tourOptions) error) *cobra.Command {
	o := &tourOptions{f: f}
	var lang string
	cmd := &cobra.Command{
		Use:   "tour",
		Short: "Walk through the seed document on this lab: INFO, full and partial sync, the failover",
		Long: `tour shows, section by section and in the seed document's order, this lab's
own values and log lines, each explained: INFO of the master, a replica and
a sentinel; the steps of a sync; a full resync as both logs tell it; a
partial resync after a failover, its PSYNC offset tied to INFO; the steps
of a failover; and each follower's and the leader's log of it.

It starts the lab first when none runs in --dir (as up does, with the same
flags). To show a full resync it sends a replica REPLICAOF NO ONE, then
REPLICAOF its master again: the replica keeps its data until the master's
snapshot replaces it with the same keys, and nothing under data/ is
deleted. For the failover it runs kill-master, then revive: the lab ends
healthy, with another master, and sentinel-lab report draws the failover.

--step waits for Enter between sections on a terminal; without one it runs
straight through.`,
		Example: `  sentinel-lab tour
  sentinel-lab tour --lang zh --step
  sentinel-lab tour -o json > tour.json
  sentinel-lab tour --report tour.html`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(o.output); err != nil {
				return err
			}
			if err := checkTimeout(o.timeout); err != nil {
				return err
			}
			if o.report == "-" {
				return usageErrorf("tour --report needs a file name; `sentinel-lab report -f -` writes the page to standard output")
			}
			var err error
			if o.lang, err = present.ParseLang(lang); err != nil {
				return &UsageError{Err: err}
			}
			return run(cmd.Context(), o, runF, runTour)
		},
	}
	cmd.Flags().DurationVar(&o.timeout, "timeout", 60*time.Second, "how long to wait for the lab, the sync and the failover, each")
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "output format: text or json")
	cmd.Flags().StringVar(&lang, "lang", "en", "language of the explanations: en or zh")
	cmd.Flags().BoolVar(&o.step, "step", false, "wait for Enter between sections (on a terminal only)")
	cmd.Flags().StringVar(&o.report, "report", "", "also write the failover and both resyncs as one self-contained HTML page to this file")
	o.flags = addConfigFlags(cmd)
	addWaitLock(cmd, &o.waitLock)
	return cmd
}

func runTour(ctx context.Context, o *tourOptions) error {
	s, done, err := o.f.tourSession(ctx, o)
	if err != nil {
		return err
	}
	defer done()
	out := o.f.IO.Out
	text := o.output != "json"
	if text {
		present.WriteTourHeader(out, s.Lab.Config.Name, o.lang)
	}
	pause := o.pauser()
	n := 0
	emit := func(t *tour.Tour, sec *tour.Section) error {
		present.AnnotateSection(sec, t.Names(), o.lang)
		if !text {
			return nil
		}
		if n > 0 {
			pause()
		}
		n++
		present.WriteTourSection(out, n, sec, o.lang)
		return nil
	}
	t, err := tour.Run(ctx, s, tour.Options{Timeout: o.timeout}, emit)
	if err := o.keep(s.Lab.Dir, t); err != nil {
		return err
	}
	if err != nil {
		return err
	}
	if !text {
		return writeJSON(out, t)
	}
	present.WriteTourEnd(out, o.lang)
	return nil
}

// keep saves the tour and its failover with the lab, for `sentinel-lab
// report`, and writes the page --report asks for.
func (o *tourOptions) keep(dir labdir.Dir, t *tour.Tour) error {
	r := t.Report()
	if r == nil {
		return nil
	}
	present.Annotate(r, o.lang)
	if err := failover.SaveReport(dir, r); err != nil {
		return err
	}
	if err := tour.SaveTour(dir, t); err != nil {
		return err
	}
	if o.report != "" {
		if err := writeReport(o.f.IO, o.report, r, o.lang, t.Syncs()); err != nil {
			return fmt.Errorf("the tour is recorded, but the HTML report is not: %w; `sentinel-lab report -f %s` tries again", err, o.report)
		}
	}
	return nil
}

// tourSession takes the lab's lock and brings the lab up as up does, so
// the tour runs on a healthy lab whether or not one ran.
func (f *Factory) tourSession(ctx context.Context, o *tourOptions) (*lab.Session, func(), error) {
	release, err := f.lockLab(ctx, "tour", o.waitLock)
	if err != nil {
		return nil, nil, err
	}
	dir, err := f.LabDir()
	if err != nil {
		release()
		return nil, nil, err
	}
	cfg, err := o.flags.load(dir)
	if err != nil {
		release()
		return nil, nil, err
	}
	s, err := f.NewSession(f.progressWriter(o.output))
	if err != nil {
		release()
		return nil, nil, err
	}
	done := func() { s.Close(); release() }
	res, err := s.Up(ctx, dir, cfg, lab.UpOptions{Flags: o.flags.set(), Timeout: 90 * time.Second, CheckPorts: daemonIsLocal()})
	if err != nil {
		done()
		return nil, nil, err
	}
	if !res.AlreadyUp {
		s.Progress.Printf("started lab %q for the tour", s.Lab.Config.Name)
	}
	return s, done, nil
}

// pauser waits for Enter between sections with --step on a terminal, and
// does nothing otherwise (a pipe, CI).
func (o *tourOptions) pauser() func() {
	if !o.step || o.output == "json" || !isTerminal(o.f.IO.In) || !isTerminal(o.f.IO.Out) {
		return func() {}
	}
	in := bufio.NewReader(o.f.IO.In)
	return func() {
		fmt.Fprint(o.f.IO.Err, present.TourPause(o.lang))
		in.ReadString('\n')
	}
}
