package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/fault"
	"github.com/sentinel-lab/sentinel-lab/internal/present"
	"github.com/sentinel-lab/sentinel-lab/internal/scenario"
	"github.com/sentinel-lab/sentinel-lab/internal/soak"
)

type soakOptions struct {
	waitLock bool
	f        *Factory
	rounds   int
	fault    fault.Spec
	faults   *faultFlags
	load     *loadFlags
	timeout  time.Duration
	output   string
	// scenario, when set, is what each round runs instead.
	scenario string
	image    string
}

func newSoakCommand(f *Factory, runF func(context.Context, *soakOptions) error) *cobra.Command {
	o := &soakOptions{f: f}
	cmd := &cobra.Command{
		Use:   "soak",
		Short: "Fail the master over round after round and check each round converged cleanly",
		Long: `soak runs kill-master then revive, --rounds times. Each round must converge
with exactly one new epoch, no sentinel in TILT, and SENTINEL CKQUORUM OK
before and after. It prints the p50/p95/max of failover_ms (and with --load
of outage_ms and lost_acked) and exits non-zero when any round did not
converge cleanly.

With --scenario NAME each round runs that scenario instead (see sentinel-lab
scenario list), on a lab of its own each time unless a lab runs in --dir,
and prints the round's verdict; it exits non-zero when any round failed.`,
		Example: `  sentinel-lab soak --rounds 20
  sentinel-lab soak --rounds 10 --load --wait-replicas 1
  sentinel-lab soak --rounds 5 --mode pause -o json
  sentinel-lab soak --rounds 5 --scenario leader-crash-after-election`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(o.output); err != nil {
				return err
			}
			if o.rounds < 1 {
				return usageErrorf("--rounds %d: run at least one round", o.rounds)
			}
			if o.scenario != "" {
				if err := checkScenarioSoak(cmd, o.scenario); err != nil {
					return err
				}
				return run(cmd.Context(), o, runF, runSoakScenario)
			}
			if err := o.load.check(); err != nil {
				return err
			}
			var err error
			if o.fault, err = o.faults.spec(); err != nil {
				return err
			}
			if o.fault.For > 0 && o.fault.Mode != fault.Sleep {
				return usageErrorf("soak --for applies to --mode sleep only: every round revives the master after its failover")
			}
			if err := checkTimeout(o.timeout); err != nil {
				return err
			}
			return run(cmd.Context(), o, runF, runSoak)
		},
	}
	cmd.Flags().IntVar(&o.rounds, "rounds", 10, "how many kill-master + revive rounds")
	o.faults = addFaultFlags(cmd, fault.MasterModes, "the master")
	o.load = addLoadFlags(cmd, "in every round")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 60*time.Second, "how long each failover and each revive may take")
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "output format: text or json")
	cmd.Flags().StringVar(&o.scenario, "scenario", "", "run this scenario in every round instead of kill-master and revive, with a verdict per round")
	cmd.Flags().StringVar(&o.image, "image", "", "with --scenario, the image of each round's own lab")
	addWaitLock(cmd, &o.waitLock)
	return cmd
}

// checkScenarioSoak refuses flags a scenario soak does not use: the
// scenario brings its own faults.
func checkScenarioSoak(cmd *cobra.Command, name string) error {
	if _, err := scenario.Find(name); err != nil {
		return err
	}
	for _, fl := range []string{"mode", "for", "delay", "jitter", "loss", "from", "load", "rate", "wait-replicas", "timeout"} {
		if cmd.Flags().Changed(fl) {
			return usageErrorf("--%s does not apply with --scenario: the scenario %s brings its own faults and timers", fl, name)
		}
	}
	return nil
}

func runSoakScenario(ctx context.Context, o *soakOptions) error {
	sc, _ := scenario.Find(o.scenario)
	progress := o.f.progressWriter(o.output)
	sum := &soak.ScenarioSummary{Scenario: sc.Name, Rounds: o.rounds, Results: []*scenario.Result{}}
	for n := 1; n <= o.rounds && ctx.Err() == nil; n++ {
		res := o.f.runScenarioOnce(ctx, sc, o.image, o.waitLock, nil)
		present.AnnotateScenario(res, present.English)
		sum.Add(res)
		if progress != nil {
			present.WriteSoakScenarioRound(progress, n, o.rounds, res)
		}
	}
	if o.output == "json" {
		if err := writeJSON(o.f.IO.Out, sum); err != nil {
			return err
		}
	} else {
		present.WriteSoakScenario(o.f.IO.Out, sum)
	}
	if ctx.Err() != nil {
		return &InterruptedError{Err: ctx.Err(), Advice: "the rounds' own labs were removed"}
	}
	if sum.Passed < sum.Rounds {
		return &VerdictError{Failed: sum.Rounds - sum.Passed, Runs: sum.Rounds}
	}
	return nil
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
		Rounds: o.rounds, Fault: o.fault, Timeout: o.timeout, Load: o.load.on, LoadOpts: o.load.options(),
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
