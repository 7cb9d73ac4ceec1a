package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
	"github.com/sentinel-lab/sentinel-lab/internal/present"
	"github.com/sentinel-lab/sentinel-lab/internal/scenario"
)

func newScenarioCommand(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scenario",
		Short: "Run a catalogue of things that go wrong around Sentinel, each with a verdict",
		Long: `scenario list shows the catalogue: the master crashing, restarting, slow;
a replica lost during the failover; every replica down; a sentinel cut off; a
majority of sentinels down; the leader crashing after its election or after
the promotion; a partitioned old master (split brain); TILT; a manual
failover; the master cut off from the sentinels only.

scenario run NAME runs one: it makes a lab of its own (a fresh name, free
ports, a small down-after), applies the scenario's faults, checks the outcome
Sentinel is expected to reach and prints the verdict with the reasons and a
timeline of what it did and what each sentinel published, explained. The lab
is removed afterwards, data included. When a lab runs in --dir, the scenario
runs on that lab instead and revives it at the end.

It exits 0 when the scenario passes and 1 when it fails; a fault that did
not take effect fails the scenario, and says so.`,
		Example: `  sentinel-lab scenario list
  sentinel-lab scenario run master-crash
  sentinel-lab scenario run leader-crash-after-election --report leader.html --lang zh
  sentinel-lab scenario run all-replicas-down -o json`,
	}
	cmd.AddCommand(newScenarioListCommand(f, nil), newScenarioRunCommand(f, nil))
	return cmd
}

type scenarioListOptions struct {
	f      *Factory
	output string
	lang   present.Lang
}

func newScenarioListCommand(f *Factory, runF func(context.Context, *scenarioListOptions) error) *cobra.Command {
	o := &scenarioListOptions{f: f}
	var lang string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the scenarios, each with what it does and the outcome it expects",
		Example: `  sentinel-lab scenario list
  sentinel-lab scenario list -o json
  sentinel-lab scenario list --lang zh`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(o.output); err != nil {
				return err
			}
			var err error
			if o.lang, err = present.ParseLang(lang); err != nil {
				return &UsageError{Err: err}
			}
			return run(cmd.Context(), o, runF, runScenarioList)
		},
	}
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "output format: text or json")
	cmd.Flags().StringVar(&lang, "lang", "en", "language: en or zh")
	return cmd
}

func runScenarioList(_ context.Context, o *scenarioListOptions) error {
	if o.output == "json" {
		return writeJSON(o.f.IO.Out, present.Catalogue(o.lang))
	}
	present.WriteCatalogue(o.f.IO.Out, o.lang)
	return nil
}

type scenarioRunOptions struct {
	waitLock bool
	f        *Factory
	name     string
	output   string
	lang     present.Lang
	report   string
	image    string
}

func newScenarioRunCommand(f *Factory, runF func(context.Context, *scenarioRunOptions) error) *cobra.Command {
	o := &scenarioRunOptions{f: f}
	var lang string
	cmd := &cobra.Command{
		Use:   "run NAME",
		Short: "Run one scenario and print its verdict",
		Long: `run makes a lab of its own for the scenario (a fresh name, free ports, a
small down-after), applies its faults, checks the outcome and prints the
verdict, the reasons and a timeline; the lab is removed afterwards. When a
lab runs in --dir the scenario runs there and revives the lab at the end.
Exit code 0: pass; 1: fail.`,
		Example: `  sentinel-lab scenario run master-crash
  sentinel-lab scenario run sentinel-tilt -o json
  sentinel-lab scenario run old-master-partitioned --report split.html --lang zh`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErrorf("name one scenario: sentinel-lab scenario run NAME (sentinel-lab scenario list shows them)")
			}
			return nil
		},
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
			var out []cobra.Completion
			for _, sc := range scenario.Catalogue() {
				out = append(out, sc.Name)
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(o.output); err != nil {
				return err
			}
			var err error
			if o.lang, err = present.ParseLang(lang); err != nil {
				return &UsageError{Err: err}
			}
			if _, err := scenario.Find(args[0]); err != nil {
				return err
			}
			if o.report == "-" {
				return usageErrorf("scenario run --report needs a file name")
			}
			o.name = args[0]
			return run(cmd.Context(), o, runF, runScenario)
		},
	}
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "output format: text or json")
	cmd.Flags().StringVar(&lang, "lang", "en", "language of the verdict and the explanations: en or zh")
	cmd.Flags().StringVar(&o.report, "report", "", "also write the run as one self-contained HTML page to this file")
	cmd.Flags().StringVar(&o.image, "image", "", "the image of the scenario's own lab (default: the lab default, or SENTINEL_LAB_IMAGE)")
	addWaitLock(cmd, &o.waitLock)
	return cmd
}

// VerdictError ends a command whose scenario failed (exit code 1).
type VerdictError struct{ Failed, Runs int }

func (e *VerdictError) Error() string {
	if e.Runs == 1 {
		return "the scenario failed; the reasons are above"
	}
	return fmt.Sprintf("%d of %d rounds failed", e.Failed, e.Runs)
}

func runScenario(ctx context.Context, o *scenarioRunOptions) error {
	sc, _ := scenario.Find(o.name)
	res := o.f.runScenarioOnce(ctx, sc, o.image, o.waitLock, o.f.progressWriter(o.output))
	present.AnnotateScenario(res, o.lang)
	if o.report != "" {
		if err := writeScenarioReport(o.f.IO, o.report, res, o.lang); err != nil {
			fmt.Fprintf(o.f.IO.Err, "note: no HTML report: %v\n", err)
		}
	}
	if o.output == "json" {
		if err := writeJSON(o.f.IO.Out, res); err != nil {
			return err
		}
	} else {
		present.WriteScenario(o.f.IO.Out, res, o.lang)
	}
	if ctx.Err() != nil {
		return &InterruptedError{Err: ctx.Err(), Advice: "a lab the scenario made for itself was removed"}
	}
	if res.Verdict != scenario.Pass {
		return &VerdictError{Failed: 1, Runs: 1}
	}
	return nil
}

// runScenarioOnce runs sc on the lab running in --dir, or on a lab of its
// own, and judges it. Whatever goes wrong is part of the result.
func (f *Factory) runScenarioOnce(ctx context.Context, sc *scenario.Scenario, image string, waitLock bool, progress io.Writer) *scenario.Result {
	start := f.Time().Now()
	var res *scenario.Result
	if s, err := f.Session(progress); err == nil && labRuns(ctx, s) {
		res = f.onGivenLab(ctx, s, sc, waitLock)
	} else {
		res = f.onOwnLab(ctx, sc, image, progress)
	}
	res.StartedAt, res.TookMS = start, f.Time().Now().Sub(start).Milliseconds()
	return res
}

func (f *Factory) onGivenLab(ctx context.Context, s *lab.Session, sc *scenario.Scenario, waitLock bool) *scenario.Result {
	defer s.Close()
	release, err := f.lockLab(ctx, "scenario run", waitLock)
	if err != nil {
		return scenario.Failed(sc.Name, err)
	}
	defer release()
	t, err := scenario.CheckLab(sc, s.Lab)
	if err != nil {
		return scenario.Failed(sc.Name, err)
	}
	obs, err := scenario.Run(ctx, s, sc, t)
	if err != nil {
		return scenario.Failed(sc.Name, err)
	}
	res := scenario.Judge(sc, obs, s.Lab)
	// Leave the lab as it was found: every fault undone.
	if _, err := failover.Revive(context.WithoutCancel(ctx), s, failover.ReviveOptions{Timeout: 90 * time.Second}); err != nil {
		s.Progress.Printf("note: reviving the lab after the scenario: %v", err)
	}
	return res
}

func (f *Factory) onOwnLab(ctx context.Context, sc *scenario.Scenario, image string, progress io.Writer) *scenario.Result {
	s, err := f.NewSession(progress)
	if err != nil {
		return scenario.Failed(sc.Name, err)
	}
	defer s.Close()
	extra := map[string]string{}
	if image != "" {
		extra["image"] = image
	}
	t := sc.TimersFor(scenario.Default)
	remove, err := scenario.MakeLab(ctx, s, sc, t, os.TempDir(), extra)
	if err != nil {
		return scenario.Failed(sc.Name, err)
	}
	defer remove()
	obs, err := scenario.Run(ctx, s, sc, t)
	if err != nil {
		return scenario.Failed(sc.Name, err)
	}
	res := scenario.Judge(sc, obs, s.Lab)
	res.OwnLab = true
	return res
}

// labRuns tells whether the lab of the session has containers.
func labRuns(ctx context.Context, s *lab.Session) bool {
	_, err := s.RunningContainers(ctx)
	return err == nil
}

func writeScenarioReport(streams Streams, file string, r *scenario.Result, lang present.Lang) error {
	var b bytes.Buffer
	if err := present.WriteScenarioHTML(&b, r, lang); err != nil {
		return err
	}
	if err := labdir.WriteFileAtomic(file, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	fmt.Fprintf(streams.Err, "wrote %s: open it in a browser (it needs no network)\n", file)
	return nil
}
