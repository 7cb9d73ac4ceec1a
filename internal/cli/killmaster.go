package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/fault"
	"github.com/sentinel-lab/sentinel-lab/internal/load"
	"github.com/sentinel-lab/sentinel-lab/internal/present"
)

type killMasterOptions struct {
	waitLock bool
	f        *Factory
	load     *loadFlags
	fault    fault.Spec
	faults   *faultFlags
	timeout  time.Duration
	force    bool
	output   string
	lang     present.Lang
	report   string
}

func newKillMasterCommand(f *Factory, runF func(context.Context, *killMasterOptions) error) *cobra.Command {
	o := &killMasterOptions{f: f}
	var lang string
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
the lab network while it keeps running: a partition), sleep (DEBUG SLEEP for
--for: silent while its connections stay open), loss (--loss of its packets
dropped, all of them by default, only those of the --from nodes if given)
and delay (--delay, with netem). sentinel-lab revive undoes any of them;
sentinel-lab fault faults any node.`,
		Example: `  sentinel-lab kill-master
  sentinel-lab kill-master --mode disconnect
  sentinel-lab kill-master --mode sleep --for 5s
  sentinel-lab kill-master --mode loss --from sentinel-1,sentinel-2,sentinel-3
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
			var err error
			if o.fault, err = o.faults.spec(); err != nil {
				return err
			}
			if o.fault.For > 0 && o.fault.Mode != fault.Sleep {
				return usageErrorf("kill-master --for applies to --mode sleep only: `sentinel-lab revive` undoes the other faults (sentinel-lab fault --for undoes any)")
			}
			if o.lang, err = present.ParseLang(lang); err != nil {
				return &UsageError{Err: err}
			}
			return run(cmd.Context(), o, runF, runKillMaster)
		},
	}
	o.faults = addFaultFlags(cmd, fault.MasterModes, "the master")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 60*time.Second, "how long to wait for the failover")
	cmd.Flags().BoolVar(&o.force, "force", false, "fault the master even when too few sentinels answer to elect a leader")
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "output format: text or json")
	cmd.Flags().StringVar(&lang, "lang", "en", "language of the explanations: en or zh")
	cmd.Flags().StringVar(&o.report, "report", "", "also write the failover as one self-contained HTML page to this file (see sentinel-lab report)")
	o.load = addLoadFlags(cmd, "during the failover")
	addWaitLock(cmd, &o.waitLock)
	return cmd
}

func runKillMaster(ctx context.Context, o *killMasterOptions) error {
	s, done, err := o.f.changeLab(ctx, "kill-master", o.waitLock, o.f.progressWriter(o.output))
	if err != nil {
		return err
	}
	defer done()
	opts := failover.Options{Fault: o.fault, Timeout: o.timeout, Force: o.force}
	if o.load.on {
		opts.Workload = load.NewWriter(s.Nodes(), s.Time(), o.load.options())
	}
	r, err := failover.KillMaster(ctx, s, opts)
	if err != nil {
		return err
	}
	present.Annotate(r, o.lang)
	if err := failover.SaveReport(s.Lab.Dir, r); err != nil {
		return err
	}
	if o.report != "" {
		if err := writeReport(o.f.IO, o.report, r, o.lang, nil); err != nil {
			return fmt.Errorf("the failover is recorded, but the HTML report is not: %w; `sentinel-lab report -f %s` tries again", err, o.report)
		}
	}
	if o.output == "json" {
		return writeJSON(o.f.IO.Out, r)
	}
	present.WriteKillMaster(o.f.IO.Out, r, o.lang)
	return nil
}
