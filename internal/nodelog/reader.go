package nodelog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// Source is where logs are read from: the engine, through its archive and
// logs endpoints, so a remote daemon works as well as a local one, and
// stopped containers' logs can still be read.
type Source interface {
	ReadFile(ctx context.Context, id, path string) ([]byte, error)
	FileSize(ctx context.Context, id, path string) (int64, error)
	Output(ctx context.Context, id string, since time.Time) ([]engine.OutputLine, error)
}

var _ Source = engine.Engine(nil) // an engine is a source of logs

// Target is one node whose logs are read.
type Target struct {
	Service string
	// ContainerID is the node's container, "" when it has none; then the
	// log file is read from LocalPath on this host, when there.
	ContainerID string
	// Path is the log file inside the container.
	Path string
	// LocalPath is the same file in the lab directory (data/<node>/logs).
	LocalPath string
}

// Reader reads targets' logs and remembers how far it read each, so Poll
// returns only what was written since.
type Reader struct {
	Source Source
	seen   map[string]*cursor
}

type cursor struct {
	// offset is how much of the log file was read, up to its last full line.
	offset int64
	// size is the file's size when it was last read.
	size int64
	// last is the time of the last line read, for lines without a time.
	last time.Time
	// output is the time of the last output line read, by container.
	output map[string]time.Time
}

// NewReader reads from src.
func NewReader(src Source) *Reader {
	return &Reader{Source: src, seen: map[string]*cursor{}}
}

func (r *Reader) cursor(service string) *cursor {
	c, ok := r.seen[service]
	if !ok {
		c = &cursor{output: map[string]time.Time{}}
		r.seen[service] = c
	}
	return c
}

// Read returns each target's lines so far, one list per target: its log
// file's lines and its container's output, interleaved by time. An error
// names the target it is about; the other targets are still read.
func (r *Reader) Read(ctx context.Context, targets []Target) ([][]Line, error) {
	out := make([][]Line, len(targets))
	var errs []error
	for i, t := range targets {
		lines, err := r.next(ctx, t)
		if err != nil {
			errs = append(errs, err)
		}
		out[i] = lines
	}
	return out, errors.Join(errs...)
}

// Poll returns the lines written since the last Read or Poll, interleaved
// by time. A target that cannot be read now (a container being removed or
// recreated) is tried again at the next poll.
func (r *Reader) Poll(ctx context.Context, targets []Target) []Line {
	lists, _ := r.Read(ctx, targets)
	return Merge(lists...)
}

// next reads what target wrote since it was last read.
func (r *Reader) next(ctx context.Context, t Target) ([]Line, error) {
	c := r.cursor(t.Service)
	file, err := r.fileLines(ctx, t, c)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.Service, err)
	}
	if t.ContainerID == "" {
		return file, nil
	}
	raw, err := r.Source.Output(ctx, t.ContainerID, c.output[t.ContainerID])
	if err != nil {
		return file, fmt.Errorf("%s: %w", t.Service, err)
	}
	var output []Line
	for _, o := range raw {
		output = append(output, Line{Service: t.Service, Time: o.Time, Text: o.Text, Output: true})
		c.output[t.ContainerID] = o.Time
	}
	return Merge(output, file), nil
}

// fileLines reads the new full lines of the target's log file.
func (r *Reader) fileLines(ctx context.Context, t Target, c *cursor) ([]Line, error) {
	size, err := r.size(ctx, t)
	if err != nil {
		return nil, err
	}
	if size < c.offset {
		// The file was replaced or truncated (down --volumes, then up):
		// read it from the start.
		c.offset, c.size = 0, 0
	}
	if size == c.offset || size == c.size {
		return nil, nil
	}
	data, err := r.read(ctx, t)
	if err != nil {
		return nil, err
	}
	if int64(len(data)) < c.offset {
		c.offset = 0
	}
	c.size = int64(len(data))
	chunk := data[c.offset:]
	// A line being written has no newline yet: leave it for the next read.
	end := bytes.LastIndexByte(chunk, '\n') + 1
	var lines []Line
	lines, c.last = Parse(t.Service, string(chunk[:end]), c.last)
	c.offset += int64(end)
	return lines, nil
}

// size is the log file's size; a file not written yet is empty.
func (r *Reader) size(ctx context.Context, t Target) (int64, error) {
	if t.ContainerID == "" {
		info, err := os.Stat(t.LocalPath)
		if errors.Is(err, os.ErrNotExist) || t.LocalPath == "" {
			return 0, nil
		}
		if err != nil {
			return 0, err
		}
		return info.Size(), nil
	}
	n, err := r.Source.FileSize(ctx, t.ContainerID, t.Path)
	if engine.IsNotFound(err) {
		return 0, nil
	}
	return n, err
}

func (r *Reader) read(ctx context.Context, t Target) ([]byte, error) {
	if t.ContainerID == "" {
		return os.ReadFile(t.LocalPath)
	}
	b, err := r.Source.ReadFile(ctx, t.ContainerID, t.Path)
	if engine.IsNotFound(err) {
		return nil, nil
	}
	return b, err
}

// Follow polls targets every interval and hands new lines to emit until
// ctx is done. targets is asked again at every poll, so a node that is
// recreated or started meanwhile is followed in its new container.
func (r *Reader) Follow(ctx context.Context, interval time.Duration, targets func(context.Context) ([]Target, error), emit func([]Line) error) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		list, err := targets(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			// The engine may be restarting; try again at the next poll.
			continue
		}
		if lines := r.Poll(ctx, list); len(lines) > 0 {
			if err := emit(lines); err != nil {
				return err
			}
		}
	}
}

// Targets are the nodes' log files, in their containers where they have
// one (containerIDs by service), else in the lab directory on this host.
func Targets(dir labdir.Dir, nodes []topology.Node, containerIDs map[string]string) []Target {
	out := make([]Target, 0, len(nodes))
	for _, n := range nodes {
		path := n.LogFile()
		out = append(out, Target{
			Service: n.Service, ContainerID: containerIDs[n.Service], Path: path,
			LocalPath: filepath.Join(dir.NodeLogs(n.Service), filepath.Base(path)),
		})
	}
	return out
}
