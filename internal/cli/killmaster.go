package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/load"
)

type killMasterOptions struct {
	load    *loadFlags
	mode    string
	timeout time.Duration
	force   bool
	output  string
	lang    string
	report  string
}

func newKillMasterCommand(g *globalOptions, f *Factory, streams Streams) *cobra.Command {
	o := &killMasterOptions{}
	cmd := &cobra.Command{
		Use:   "kill-master",
		Short: "Fault the master and show the failover, timed",
		Long: `kill-master asks the sentinels who the master is (after a failover it is not
the master service), subscribes to every sentinel's events, faults the master
through the Engine API and polls the sentinels and nodes every 20 ms until a
new master is reported by the sentinels, answers role:master, every sentinel
agrees and the remaining replicas follow it.

It prints old master -> new master, the time from the fault to each of those
moments, and each sentinel's timeline (leader first) with every event
explained, the way the seed document annotates its logs.

Modes: kill (SIGKILL), stop (SIGTERM), pause (frozen), disconnect (moved off
the lab network while it keeps running: a partition). sentinel-lab revive
undoes any of them.`,
		Example: `  sentinel-lab kill-master
  sentinel-lab kill-master --mode disconnect
  sentinel-lab kill-master -o json > failover.json
  sentinel-lab kill-master --load --report failover.html`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(o.output); err != nil {
				return err
			}
			if err := o.load.check(); err != nil {
				return err
			}
			if err := checkTimeout(o.timeout); err != nil {
				return err
			}
			if o.report == "-" {
				return usageErrorf("kill-master --report needs a file name; `sentinel-lab report -f -` writes the page to standard output")
			}
			mode, err := failover.ParseMode(o.mode)
			if err != nil {
				return &UsageError{Err: err}
			}
			lang, err := failover.ParseLang(o.lang)
			if err != nil {
				return &UsageError{Err: err}
			}
			s, err := openSession(g, f, progressWriter(o.output, streams))
			if err != nil {
				return err
			}
			defer s.Close()
			l, env, pr := s.lab, s.env, s.prober
			opts := failover.Options{Mode: mode, Timeout: o.timeout, Force: o.force, Lang: lang, Progress: env.Progress}
			if o.load.on {
				opts.Workload = load.NewWriter(l, pr, o.load.options())
			}
			r, err := failover.KillMaster(cmd.Context(), env, l, pr, opts)
			if err != nil {
				return err
			}
			if err := failover.SaveReport(l.Dir, r); err != nil {
				return err
			}
			if o.report != "" {
				if err := writeReport(streams, o.report, r, lang); err != nil {
					return fmt.Errorf("the failover is recorded, but the HTML report is not: %w; `sentinel-lab report -f %s` tries again", err, o.report)
				}
			}
			if o.output == "json" {
				return writeJSON(streams.Out, r)
			}
			failover.WriteText(streams.Out, r, lang)
			if res, ok := r.Load.(*load.Result); ok && res != nil {
				load.WriteText(streams.Out, res)
			}
			if r.LoadError != "" {
				fmt.Fprintf(streams.Out, "  note: the client's writes could not all be checked: %s\n", r.LoadError)
			}
			fmt.Fprintln(streams.Out, "\nNext: sentinel-lab status, then sentinel-lab revive to bring", r.OldMaster.Service, "back as a replica")
			return nil
		},
	}
	cmd.Flags().StringVar(&o.mode, "mode", "kill", "how to fault the master: kill, stop, pause or disconnect")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 60*time.Second, "how long to wait for the failover")
	cmd.Flags().BoolVar(&o.force, "force", false, "fault the master even when too few sentinels answer to elect a leader")
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "output format: text or json")
	cmd.Flags().StringVar(&o.lang, "lang", "en", "language of the explanations: en or zh")
	cmd.Flags().StringVar(&o.report, "report", "", "also write the failover as one self-contained HTML page to this file (see sentinel-lab report)")
	o.load = addLoadFlags(cmd, "during the failover")
	return cmd
}
