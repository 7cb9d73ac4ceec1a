// Package app runs the sentinel-lab command line: main only calls Main, and
// tests call Run with their own arguments and streams.
package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/sentinel-lab/sentinel-lab/internal/cli"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailure = 1
	// ExitUsage: the command line or the configuration is wrong.
	ExitUsage = 2
	// ExitUnhealthy: `status --check` found the lab not healthy.
	ExitUnhealthy = 3
	// ExitInterrupted: Ctrl-C or SIGTERM stopped the command (128+SIGINT).
	ExitInterrupted = 130
)

// Main runs the CLI with the process's arguments and exits. SIGINT and
// SIGTERM cancel the command's context, so it stops cleanly.
func Main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Run(ctx, os.Args[1:], cli.Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
	stop()
	os.Exit(code)
}

// Run runs one command line and returns its exit code.
func Run(ctx context.Context, args []string, streams cli.Streams) int {
	root := cli.NewRoot(streams, cli.NewFactory())
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		msg := "interrupted: stopped cleanly"
		var ie *cli.InterruptedError
		if errors.As(err, &ie) {
			msg += "; " + ie.Advice
		}
		fmt.Fprintln(streams.Err, msg)
		return ExitInterrupted
	}
	fmt.Fprintln(streams.Err, "error:", err)
	// A program run for the user (redis-cli) ends the command with its code;
	// only that one: os/exec errors have an ExitCode too.
	var exit *cli.ExitError
	if errors.As(err, &exit) {
		return exit.Code
	}
	var unhealthy *cli.UnhealthyError
	if errors.As(err, &unhealthy) {
		return ExitUnhealthy
	}
	if IsUsage(err) {
		return ExitUsage
	}
	return ExitFailure
}

// IsUsage tells errors that are the user's to fix on the command line or in
// the configuration.
func IsUsage(err error) bool {
	var u interface{ IsUsage() bool }
	return errors.As(err, &u) && u.IsUsage()
}
