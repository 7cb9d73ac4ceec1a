package engine

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"
)

// Inspector is what the inspection commands (logs, cli, export) need from
// an engine.
type Inspector interface {
	// InspectJSON returns the container as `docker inspect` shows it.
	InspectJSON(ctx context.Context, id string) ([]byte, error)
	// Output returns the container's stdout and stderr lines received after
	// since (all of them when since is zero), each with the time the engine
	// received it. It works on stopped containers too.
	Output(ctx context.Context, id string, since time.Time) ([]OutputLine, error)
	// FileSize returns the size of a file in a container, running or not;
	// IsNotFound tells a file that does not exist.
	FileSize(ctx context.Context, id, path string) (int64, error)
	// Exec runs a command in a running container, relays its streams and
	// returns its exit code.
	Exec(ctx context.Context, id string, spec ExecSpec) (int, error)
}

// OutputLine is one line of a container's output.
type OutputLine struct {
	Time time.Time
	Text string
}

// ExecSpec is a command to run in a container.
type ExecSpec struct {
	Cmd []string
	// Env is added to the container's environment for this command only.
	// Unlike Cmd, it is not shown by `docker inspect` or `ps`.
	Env []string
	// TTY gives the command a terminal: its output is one stream (Stdout)
	// and Stdin is relayed byte by byte.
	TTY bool
	// Stdin, when not nil, is relayed to the command; when it ends, the
	// command's stdin is closed.
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Resize, with TTY, delivers the local terminal's size (height, width)
	// whenever it changes; the first value is applied at start.
	Resize <-chan [2]uint
	// Started, when set, is called once the command runs, before Exec
	// returns at its end: a caller waiting on a long command (DEBUG SLEEP)
	// learns it is under way.
	Started func()
}

var _ Inspector = (*Docker)(nil)

// InspectJSON returns the raw inspect document of a container.
func (d *Docker) InspectJSON(ctx context.Context, id string) ([]byte, error) {
	res, err := d.c.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		return nil, fmt.Errorf("inspecting %s: %w", shortID(id), err)
	}
	return res.Raw, nil
}

// Output returns the container's output lines with the engine's timestamps.
func (d *Docker) Output(ctx context.Context, id string, since time.Time) ([]OutputLine, error) {
	opts := client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true, Timestamps: true}
	if !since.IsZero() {
		opts.Since = since.UTC().Format(time.RFC3339Nano)
	}
	rc, err := d.c.ContainerLogs(ctx, id, opts)
	if err != nil {
		return nil, fmt.Errorf("reading the output of %s: %w", shortID(id), err)
	}
	defer rc.Close()
	var buf bytes.Buffer
	if _, err := stdcopy.StdCopy(&buf, &buf, rc); err != nil {
		return nil, fmt.Errorf("reading the output of %s: %w", shortID(id), err)
	}
	lines := ParseTimestamped(buf.String())
	// The engine's since is inclusive and whole lines may share it: keep
	// only what is strictly newer.
	out := lines[:0]
	for _, l := range lines {
		if since.IsZero() || l.Time.After(since) {
			out = append(out, l)
		}
	}
	return out, nil
}

// ParseTimestamped splits output read with timestamps on ("2026-11-24T13:57:19.749123456Z text")
// into lines. A line without a timestamp keeps the previous line's time.
func ParseTimestamped(s string) []OutputLine {
	var out []OutputLine
	var last time.Time
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		ts, text, found := strings.Cut(line, " ")
		if t, err := time.Parse(time.RFC3339Nano, ts); err == nil {
			last = t
			if !found {
				text = ""
			}
			out = append(out, OutputLine{Time: t, Text: text})
			continue
		}
		out = append(out, OutputLine{Time: last, Text: line})
	}
	return out
}

// FileSize stats a path through the archive endpoint.
func (d *Docker) FileSize(ctx context.Context, id, path string) (int64, error) {
	res, err := d.c.ContainerStatPath(ctx, id, client.ContainerStatPathOptions{Path: path})
	if err != nil {
		return 0, fmt.Errorf("looking at %s in %s: %w", path, shortID(id), err)
	}
	return res.Stat.Size, nil
}

// Exec runs spec.Cmd in a running container through exec create, attach
// (which starts it) and inspect for the exit code.
func (d *Docker) Exec(ctx context.Context, id string, spec ExecSpec) (int, error) {
	created, err := d.c.ExecCreate(ctx, id, client.ExecCreateOptions{
		Cmd: spec.Cmd, Env: spec.Env, TTY: spec.TTY,
		AttachStdin: spec.Stdin != nil, AttachStdout: true, AttachStderr: true,
	})
	if err != nil {
		if cerrdefs.IsConflict(err) {
			return -1, fmt.Errorf("running %s in %s: the container is not running: %w", spec.Cmd[0], shortID(id), err)
		}
		return -1, fmt.Errorf("running %s in %s: %w", spec.Cmd[0], shortID(id), err)
	}
	att, err := d.c.ExecAttach(ctx, created.ID, client.ExecAttachOptions{TTY: spec.TTY})
	if err != nil {
		return -1, fmt.Errorf("attaching to %s in %s: %w", spec.Cmd[0], shortID(id), err)
	}
	defer att.Close()
	if spec.Started != nil {
		spec.Started()
	}
	// Cancelling the context (Ctrl-C) closes the connection, which ends
	// the copies below.
	stop := context.AfterFunc(ctx, att.Close)
	defer stop()

	if spec.TTY && spec.Resize != nil {
		done := make(chan struct{})
		defer close(done)
		go func() {
			for {
				select {
				case size := <-spec.Resize:
					// A failed resize only leaves the old size.
					_, _ = d.c.ExecResize(ctx, created.ID, client.ExecResizeOptions{Height: size[0], Width: size[1]})
				case <-done:
					return
				}
			}
		}()
	}
	if spec.Stdin != nil {
		go func() {
			_, _ = io.Copy(att.Conn, spec.Stdin)
			_ = att.CloseWrite()
		}()
	}
	stdout, stderr := orDiscard(spec.Stdout), orDiscard(spec.Stderr)
	if spec.TTY {
		_, err = io.Copy(stdout, att.Reader)
	} else {
		_, err = stdcopy.StdCopy(stdout, stderr, att.Reader)
	}
	if ctx.Err() != nil {
		return -1, ctx.Err()
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return -1, fmt.Errorf("relaying the output of %s: %w", spec.Cmd[0], err)
	}
	// The stream ends a moment before the engine records the exit code.
	for i := 0; ; i++ {
		res, err := d.c.ExecInspect(ctx, created.ID, client.ExecInspectOptions{})
		if err != nil {
			return -1, fmt.Errorf("reading the exit code of %s: %w", spec.Cmd[0], err)
		}
		if !res.Running {
			return res.ExitCode, nil
		}
		if i == 50 {
			return -1, fmt.Errorf("%s closed its output but is still running", spec.Cmd[0])
		}
		select {
		case <-ctx.Done():
			return -1, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}
