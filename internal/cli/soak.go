package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/present"
	"github.com/sentinel-lab/sentinel-lab/internal/soak"
)

type soakOptions struct {
	waitLock bool
	f        *Factory
	rounds   int
	mode     failover.Mode
	load     *loadFlags
	timeout  time.Duration
	output   string
}

func newSoakCommand(f *Factory, runF func(context.Context, *soakOptions) error) *cobra.Command {
	o := &soakOptions{f: f}
	var mode string
	cmd := &cobra.Command{
		Use:   "soak",
		Short: "Fail the master over round after round and check each round converged cleanly",
		Long: `soak runs kill-master then revive, --rounds times. Each round must converge
with exactly one new epoch, no sentinel in TILT, and SENTINEL CKQUORUM OK
before and after. It prints the p50/p95/max of failover_ms (and with --load
of outage_ms and lost_acked) and exits non-zero when any round did not
converge cleanly.`,
		Example: `  sentinel-lab soak --rounds 20
  sentinel-lab soak --rounds 10 --load --wait-replicas 1
  sentinel-lab soak --rounds 5 --mode pause -o json`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(o.output); err != nil {
				return err
			}
			if o.rounds < 1 {
				return usageErrorf("--rounds %d: run at least one round", o.rounds)
			}
			if err := o.load.check(); err != nil {
				return err
			}
			var err error
			if o.mode, err = failover.ParseMode(mode); err != nil {
				return &UsageError{Err: err}
			}
			if err := checkTimeout(o.timeout); err != nil {
				return err
			}
			return run(cmd.Context(), o, runF, runSoak)
		},
	}
	cmd.Flags().IntVar(&o.rounds, "rounds", 10, "how many kill-master + revive rounds")
	cmd.Flags().StringVar(&mode, "mode", "kill", "how to fault the master: kill, stop, pause or disconnect")
	o.load = addLoadFlags(cmd, "in every round")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 60*time.Second, "how long each failover and each revive may take")
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "output format: text or json")
	addWaitLock(cmd, &o.waitLock)
	return cmd
}

// checkTimeout refuses a zero or negative timeout, which would mean no
// limit at all.
func checkTimeout(d time.Duration) error {
	if d <= 0 {
		return usageErrorf("--timeout %s must be positive, such as 60s", d)
	}
	return nil
}

func runSoak(ctx context.Context, o *soakOptions) error {
	s, done, err := o.f.changeLab(ctx, "soak", o.waitLock, nil)
	if err != nil {
		return err
	}
	defer done()
	progress := o.f.progressWriter(o.output)
	sum, err := soak.Run(ctx, s, soak.Options{
		Rounds: o.rounds, Mode: o.mode, Timeout: o.timeout, Load: o.load.on, LoadOpts: o.load.options(),
		OnRound: func(r soak.Round) {
			if progress != nil {
				present.WriteSoakRound(progress, r, o.rounds)
			}
		},
	})
	if err != nil {
		return err
	}
	if o.output == "json" {
		if err := writeJSON(o.f.IO.Out, sum); err != nil {
			return err
		}
	} else {
		present.WriteSoak(o.f.IO.Out, sum)
	}
	if sum.Converged < sum.Rounds {
		return fmt.Errorf("%d of %d rounds did not converge cleanly", sum.Rounds-sum.Converged, sum.Rounds)
	}
	return nil
}
