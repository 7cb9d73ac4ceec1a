package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// RunResult is what a container run to completion left.
type RunResult struct {
	ExitCode int
	// Output is its stdout and stderr, interleaved.
	Output string
}

// Run creates a container from spec, starts it, waits for it to exit and
// removes it, returning its exit code and output: the short-lived helpers
// (a packet filter set in a node's network namespace, a look at an image's
// server version). The container is removed whatever happens.
func Run(ctx context.Context, e Engine, spec ContainerSpec) (RunResult, error) {
	id, err := e.CreateContainer(ctx, spec)
	if err != nil {
		return RunResult{}, err
	}
	defer func() {
		// Removed even after Ctrl-C: a helper left behind would share a
		// node's network namespace with NET_ADMIN.
		rctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		e.Remove(rctx, id)
	}()
	if err := e.Start(ctx, id); err != nil {
		return RunResult{}, err
	}
	code, err := e.Wait(ctx, id)
	if err != nil {
		return RunResult{}, err
	}
	out, err := e.Logs(ctx, id, 200)
	if err != nil {
		return RunResult{ExitCode: code}, err
	}
	return RunResult{ExitCode: code, Output: strings.TrimSpace(out)}, nil
}

// Failed says why a helper run failed: its command, exit code and output.
func (r RunResult) Failed(what string) error {
	if r.ExitCode == 0 {
		return nil
	}
	out := r.Output
	if out == "" {
		out = "no output"
	}
	return fmt.Errorf("%s exited with code %d: %s", what, r.ExitCode, out)
}

// Wait waits until a container is not running and returns its exit code.
func (d *Docker) Wait(ctx context.Context, id string) (int, error) {
	res := d.c.ContainerWait(ctx, id, client.ContainerWaitOptions{Condition: container.WaitConditionNotRunning})
	select {
	case r := <-res.Result:
		if r.Error != nil && r.Error.Message != "" {
			return int(r.StatusCode), fmt.Errorf("waiting for %s: %s", shortID(id), r.Error.Message)
		}
		return int(r.StatusCode), nil
	case err := <-res.Error:
		return -1, fmt.Errorf("waiting for %s: %w", shortID(id), err)
	case <-ctx.Done():
		return -1, ctx.Err()
	}
}
