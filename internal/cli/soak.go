package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/soak"
)

type soakOptions struct {
	rounds  int
	mode    string
	load    *loadFlags
	timeout time.Duration
	output  string
}

func newSoakCommand(g *globalOptions, f *Factory, streams Streams) *cobra.Command {
	o := &soakOptions{}
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
			mode, err := failover.ParseMode(o.mode)
			if err != nil {
				return &UsageError{Err: err}
			}
			if err := checkTimeout(o.timeout); err != nil {
				return err
			}
			sess, err := openSession(g, f, nil)
			if err != nil {
				return err
			}
			defer sess.Close()
			l, env, pr := sess.lab, sess.env, sess.prober
			progress := progressWriter(o.output, streams)
			s, err := soak.Run(cmd.Context(), env, l, pr, soak.Options{
				Rounds: o.rounds, Mode: mode, Timeout: o.timeout, Load: o.load.on, LoadOpts: o.load.options(),
				OnRound: func(r soak.Round) {
					if progress == nil {
						return
					}
					if r.OK {
						fmt.Fprintf(progress, "round %d/%d: %s -> %s, failover %d ms, outage %d ms, lost %d\n",
							r.N, o.rounds, r.OldMaster, r.NewMaster, r.FailoverMS, r.OutageMS, r.LostAcked)
					} else {
						fmt.Fprintf(progress, "round %d/%d FAILED: %s\n", r.N, o.rounds, strings.Join(r.Problems, "; "))
					}
				},
			})
			if err != nil {
				return err
			}
			if o.output == "json" {
				if err := writeJSON(streams.Out, s); err != nil {
					return err
				}
			} else {
				printSoak(streams, s)
			}
			if s.Converged < s.Rounds {
				return fmt.Errorf("%d of %d rounds did not converge cleanly", s.Rounds-s.Converged, s.Rounds)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&o.rounds, "rounds", 10, "how many kill-master + revive rounds")
	cmd.Flags().StringVar(&o.mode, "mode", "kill", "how to fault the master: kill, stop, pause or disconnect")
	o.load = addLoadFlags(cmd, "in every round")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 60*time.Second, "how long each failover and each revive may take")
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "output format: text or json")
	return cmd
}

func printSoak(streams Streams, s *soak.Summary) {
	fmt.Fprintf(streams.Out, "Soak: %d of %d rounds converged cleanly (mode %s, down-after %d ms).\n", s.Converged, s.Rounds, s.Mode, s.DownAfterMS)
	fmt.Fprintf(streams.Out, "  failover_ms  p50 %.0f  p95 %.0f  max %.0f\n", s.FailoverMS.P50, s.FailoverMS.P95, s.FailoverMS.Max)
	if s.OutageMS != nil {
		fmt.Fprintf(streams.Out, "  outage_ms    p50 %.0f  p95 %.0f  max %.0f\n", s.OutageMS.P50, s.OutageMS.P95, s.OutageMS.Max)
		fmt.Fprintf(streams.Out, "  lost_acked   p50 %.0f  p95 %.0f  max %.0f\n", s.LostAcked.P50, s.LostAcked.P95, s.LostAcked.Max)
	}
	if s.SplitBrainLost != nil {
		fmt.Fprintf(streams.Out, "  split brain: writes the isolated old master acknowledged and dropped  p50 %.0f  p95 %.0f  max %.0f\n",
			s.SplitBrainLost.P50, s.SplitBrainLost.P95, s.SplitBrainLost.Max)
	}
	for _, r := range s.Results {
		if !r.OK {
			fmt.Fprintf(streams.Out, "  round %d: %s\n", r.N, strings.Join(r.Problems, "; "))
		}
	}
}

// checkTimeout refuses a zero or negative timeout, which would mean no
// limit at all.
func checkTimeout(d time.Duration) error {
	if d <= 0 {
		return usageErrorf("--timeout %s must be positive, such as 60s", d)
	}
	return nil
}
