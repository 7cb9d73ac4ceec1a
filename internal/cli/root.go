// Package cli defines the sentinel-lab commands. Each command parses its
// flags into a small options struct and calls a plain function, so the
// behaviour is tested without cobra and the flag parsing without Docker.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
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

// globalOptions are the flags every command has.
type globalOptions struct {
	dir     string
	connect string
}

func (g *globalOptions) labDir() (labdir.Dir, error) {
	d, err := labdir.New(g.dir)
	if err != nil {
		return d, err
	}
	if info, err := os.Stat(d.Root); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return d, usageErrorf("lab directory %s does not exist; create it first or pass another --dir", d.Root)
		}
		return d, err
	} else if !info.IsDir() {
		return d, usageErrorf("--dir %s is a file, not a directory", g.dir)
	}
	return d, nil
}

// NewRoot builds the sentinel-lab command tree.
func NewRoot(streams Streams, f *Factory) *cobra.Command {
	g := &globalOptions{}
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
	root.PersistentFlags().StringVar(&g.dir, "dir", ".", "lab directory")
	root.PersistentFlags().StringVar(&g.connect, "connect", "auto",
		"how the CLI reaches the nodes: direct (in-network addresses, only over the lab network's bridge on this host: Linux), published (host ports: Docker Desktop, a remote engine) or auto")
	root.PersistentPreRunE = func(*cobra.Command, []string) error {
		reach, ok := map[string]probe.Reach{"auto": probe.ReachAuto, "direct": probe.ReachDirect, "published": probe.ReachPublished}[g.connect]
		if !ok {
			return usageErrorf("--connect %q is not auto, direct or published", g.connect)
		}
		f.Reach = reach
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
		newRenderCommand(g, streams),
		newUpCommand(g, f, streams),
		newStatusCommand(g, f, streams),
		newKillMasterCommand(g, f, streams),
		newReviveCommand(g, f, streams),
		newSoakCommand(g, f, streams),
		newReportCommand(g, streams),
		newDownCommand(g, f, streams),
		newImageCommand(f, streams),
		newConfigCommand(g, streams),
		newLogsCommand(g, f, streams),
		newCLICommand(g, f, streams),
		newExportCommand(g, f, streams),
		newCompletionCommand(streams),
		newVersionCommand(streams),
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
