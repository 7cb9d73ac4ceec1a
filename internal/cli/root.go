// Package cli defines the sentinel-lab commands. Each command parses its
// flags into a small options struct and calls a plain function, so the
// behaviour is tested without cobra and the flag parsing without Docker.
package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/probe"
)

// Streams are the command's standard streams.
type Streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// UsageError is a mistake on the command line (exit code 2).
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// IsUsage marks the error as the user's to fix.
func (e *UsageError) IsUsage() bool { return true }

func usageErrorf(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// InterruptedError is a command stopped by Ctrl-C, with what to do next.
type InterruptedError struct {
	Err    error
	Advice string
}

func (e *InterruptedError) Error() string { return e.Err.Error() }
func (e *InterruptedError) Unwrap() error { return e.Err }

// NewRoot builds the sentinel-lab command tree.
func NewRoot(streams Streams, f *Factory) *cobra.Command {
	f.IO = streams
	var connect string
	root := &cobra.Command{
		Use:   "sentinel-lab",
		Short: "A Redis master/replica/sentinel failover lab in one binary",
		Long: `sentinel-lab renders, starts and faults a Redis Sentinel lab: one master,
its replicas and a group of sentinels, each in its own container. Kill the
master and watch the sentinels elect a leader and promote a replica, with
every step timed.`,
		Example: `  sentinel-lab up            # render, start, wait until the sentinels agree
  sentinel-lab kill-master   # fault the master, watch and time the failover
  sentinel-lab status        # who is master, who replicates, what sentinels think
  sentinel-lab down          # remove the containers (data/ is kept)`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.Err)
	root.PersistentFlags().StringVar(&f.dir, "dir", ".", "lab directory")
	root.PersistentFlags().StringVar(&connect, "connect", "auto",
		"how the CLI reaches the nodes: direct (in-network addresses, only over the lab network's bridge on this host: Linux), published (host ports: Docker Desktop, a remote engine) or auto")
	root.PersistentPreRunE = func(*cobra.Command, []string) error {
		reach, ok := map[string]probe.Reach{"auto": probe.ReachAuto, "direct": probe.ReachDirect, "published": probe.ReachPublished}[connect]
		if !ok {
			return usageErrorf("--connect %q is not auto, direct or published", connect)
		}
		f.reach = reach
		return nil
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &UsageError{Err: err} })
	// With Args set, cobra hands unknown commands to it instead of failing
	// with a plain error, so they exit with the usage code.
	root.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usageErrorf("unknown command %q; see `sentinel-lab --help`", args[0])
		}
		return nil
	}
	root.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }

	root.AddCommand(
		newRenderCommand(f, nil),
		newUpCommand(f, nil),
		newStatusCommand(f, nil),
		newKillMasterCommand(f, nil),
		newFaultCommand(f, nil),
		newReviveCommand(f, nil),
		newSoakCommand(f, nil),
		newScenarioCommand(f),
		newReportCommand(f, nil),
		newTourCommand(f, nil),
		newDownCommand(f, nil),
		newImageCommand(f, f.IO),
		newConfigCommand(f, nil),
		newLogsCommand(f, nil),
		newCLICommand(f, nil),
		newExportCommand(f, nil),
		newConnectCommand(f, nil),
		newCompletionCommand(f.IO),
		newVersionCommand(f.IO),
	)
	for _, c := range root.Commands() {
		if c.Args == nil {
			c.Args = noArgs
		}
	}
	exampleForHelp(root)
	return root
}

// noArgs rejects positional arguments as a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf("%s takes no arguments, got %q", cmd.CommandPath(), args)
	}
	return nil
}

// run calls the command's behaviour, or runF instead when a test gave one
// to capture the options the flags produced.
func run[O any](ctx context.Context, o *O, runF func(context.Context, *O) error, behaviour func(context.Context, *O) error) error {
	if runF != nil {
		return runF(ctx, o)
	}
	return behaviour(ctx, o)
}
