package enginetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
)

// SetLogs sets what Logs returns for a container.
func (f *Fake) SetLogs(id, logs string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mustGet(id).logs = logs
}

// SetFile puts a file in a container's filesystem, for ReadFile.
func (f *Fake) SetFile(id, path string, content []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.mustGet(id)
	if c.files == nil {
		c.files = map[string][]byte{}
	}
	c.files[path] = content
}

// Logs returns the last tail lines of what SetLogs or ExitOnStart set.
func (f *Fake) Logs(_ context.Context, id string, tail int) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.lookup("Logs", id)
	if err != nil {
		return "", err
	}
	lines := strings.SplitAfter(c.logs, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if tail >= 0 && len(lines) > tail {
		lines = lines[len(lines)-tail:]
	}
	return strings.Join(lines, ""), nil
}

// ReadFile returns a file SetFile put in the container.
func (f *Fake) ReadFile(_ context.Context, id, path string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.lookup("ReadFile", id)
	if err != nil {
		return nil, err
	}
	b, ok := c.files[path]
	if !ok {
		return nil, fmt.Errorf("reading %s from %s: no such file: %w", path, c.Name, cerrdefs.ErrNotFound)
	}
	return slices.Clone(b), nil
}

// OutputTime is the time the fake stamps on every line of output.
var OutputTime = time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)

// Output returns what SetLogs set as lines, all stamped OutputTime, after since.
func (f *Fake) Output(_ context.Context, id string, since time.Time) ([]engine.OutputLine, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.lookup("Output", id)
	if err != nil {
		return nil, err
	}
	if !since.IsZero() && !OutputTime.After(since) {
		return nil, nil
	}
	var out []engine.OutputLine
	for _, line := range strings.Split(strings.TrimRight(c.logs, "\n"), "\n") {
		if line != "" {
			out = append(out, engine.OutputLine{Time: OutputTime, Text: line})
		}
	}
	return out, nil
}

// FileSize is the size of a file SetFile put in the container.
func (f *Fake) FileSize(_ context.Context, id, path string) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.lookup("FileSize", id)
	if err != nil {
		return 0, err
	}
	b, ok := c.files[path]
	if !ok {
		return 0, fmt.Errorf("%s in %s: %w", path, c.Name, cerrdefs.ErrNotFound)
	}
	return int64(len(b)), nil
}

// InspectJSON returns the container and the spec it was created from.
func (f *Fake) InspectJSON(_ context.Context, id string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.lookup("InspectJSON", id)
	if err != nil {
		return nil, err
	}
	return json.Marshal(struct {
		Container engine.Container
		Spec      engine.ContainerSpec
	}{c.copy(), c.spec})
}

// OnExec answers Exec; without it Exec fails.
func (f *Fake) OnExec(fn func(c engine.Container, spec engine.ExecSpec) (int, error)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.onExec = fn
}

// Exec hands the command to the OnExec function, in a running container.
func (f *Fake) Exec(_ context.Context, id string, spec engine.ExecSpec) (int, error) {
	f.mu.Lock()
	c, err := f.lookup("Exec", id)
	if err != nil {
		f.mu.Unlock()
		return -1, err
	}
	cc, fn := c.copy(), f.onExec
	f.mu.Unlock()
	if cc.State != engine.StateRunning {
		return -1, fmt.Errorf("container %s is not running", cc.Name)
	}
	if fn == nil {
		return -1, fmt.Errorf("enginetest: no exec scripted for %v (use OnExec)", spec.Cmd)
	}
	return fn(cc, spec)
}
