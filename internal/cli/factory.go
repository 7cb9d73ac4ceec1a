package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/image"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
	"github.com/sentinel-lab/sentinel-lab/internal/lablock"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/progress"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
	"github.com/sentinel-lab/sentinel-lab/internal/wait"
	"github.com/spf13/cobra"
)

// Factory makes what commands need, lazily: `render` and `--help` never
// connect to Docker. Tests fill it with fakes.
type Factory struct {
	// IO are the command's streams; NewRoot sets them.
	IO Streams
	// NewEngine connects to the container engine.
	NewEngine func() (engine.Engine, error)
	// OpenNodes connects to a lab's nodes; nil is the real prober, reaching
	// them as --connect says.
	OpenNodes func(l *lab.Lab) probe.Nodes
	// Clock paces waits and stamps times; nil is the wall clock.
	Clock wait.Clock
	// Host is what a local image build may use.
	Host image.Host

	// dir and reach are the --dir and --connect flags, set by the root.
	dir   string
	reach probe.Reach

	once   sync.Once
	engine engine.Engine
	err    error
}

// NewFactory returns the factory of the real dependencies.
func NewFactory() *Factory {
	return &Factory{NewEngine: func() (engine.Engine, error) { return engine.NewDocker() }, Host: image.DefaultHost}
}

// Engine returns the engine, connecting on first use.
func (f *Factory) Engine() (engine.Engine, error) {
	f.once.Do(func() { f.engine, f.err = f.NewEngine() })
	return f.engine, f.err
}

// Time is the factory's clock, the wall clock when none is set.
func (f *Factory) Time() wait.Clock {
	if f.Clock != nil {
		return f.Clock
	}
	return wait.RealClock{}
}

// LabDir is the lab directory --dir names, which must exist.
func (f *Factory) LabDir() (labdir.Dir, error) {
	d, err := labdir.New(f.dir)
	if err != nil {
		return d, err
	}
	if info, err := os.Stat(d.Root); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return d, usageErrorf("lab directory %s does not exist; create it first or pass another --dir", d.Root)
		}
		return d, err
	} else if !info.IsDir() {
		return d, usageErrorf("--dir %s is a file, not a directory", f.dir)
	}
	return d, nil
}

// OpenLab opens the lab a previous render or up left in the lab directory.
func (f *Factory) OpenLab() (*lab.Lab, error) {
	dir, err := f.LabDir()
	if err != nil {
		return nil, err
	}
	return lab.Open(dir)
}

// NewSession connects to the engine, with progress to w (nil for none) and
// no lab yet: up resolves one, down may open one without its password.
func (f *Factory) NewSession(w io.Writer) (*lab.Session, error) {
	eng, err := f.Engine()
	if err != nil {
		return nil, err
	}
	return &lab.Session{
		Engine: eng, Progress: f.progress(w), Clock: f.Clock,
		OpenNodes: f.OpenNodes, Reach: f.reach, Host: f.Host,
	}, nil
}

// Session opens the lab of the lab directory and a session on it: what
// every command on a lab that was already created works with.
func (f *Factory) Session(w io.Writer) (*lab.Session, error) {
	l, err := f.OpenLab()
	if err != nil {
		return nil, err
	}
	s, err := f.NewSession(w)
	if err != nil {
		return nil, err
	}
	s.Lab = l
	return s, nil
}

// progress is the printer for w: live lines on a terminal, timestamped
// lines in a pipe or under CI, nothing for nil.
func (f *Factory) progress(w io.Writer) *progress.Printer {
	switch {
	case w == nil:
		return progress.Discard()
	case isTerminal(w) && os.Getenv("CI") != "true":
		return progress.NewLive(w)
	}
	return progress.New(w)
}

// progressWriter is where progress goes: stderr, so stdout holds only the
// result, and nowhere with -o json.
func (f *Factory) progressWriter(output string) io.Writer {
	if output == "json" {
		return nil
	}
	return f.IO.Err
}

// selectNodes finds the named nodes of the lab, all of them when none is
// named, or says which names are not the lab's.
func selectNodes(t *topology.Lab, services []string) ([]topology.Node, error) {
	if len(services) == 0 {
		return t.Nodes, nil
	}
	var out []topology.Node
	seen := map[string]bool{}
	for _, s := range services {
		n, ok := t.Node(s)
		if !ok {
			return nil, unknownService(t, s)
		}
		if !seen[s] {
			out = append(out, n)
			seen[s] = true
		}
	}
	return out, nil
}

func unknownService(t *topology.Lab, s string) error {
	return usageErrorf("lab %q has no service %q; its services are %s", t.Name, s, strings.Join(t.Services(), ", "))
}

// lockLab takes the lab directory's lock for a command that changes the
// lab, and says so when it took over one whose holder ended without
// releasing it. The caller must call release.
func (f *Factory) lockLab(ctx context.Context, command string, wait bool) (release func(), err error) {
	dir, err := f.LabDir()
	if err != nil {
		return nil, err
	}
	l, err := lablock.Acquire(ctx, dir, command, wait)
	if err != nil {
		return nil, err
	}
	if h := l.TookOver; h != nil {
		fmt.Fprintf(f.IO.Err, "note: took over the lab's lock from `sentinel-lab %s` (pid %d, since %s), which ended without releasing it\n",
			h.Command, h.PID, h.Since.Format("15:04:05"))
	}
	return l.Release, nil
}

// changeLab is what a command that changes a created lab starts with: the
// lab's lock and a session on the lab, progress to w. done releases both.
func (f *Factory) changeLab(ctx context.Context, command string, wait bool, w io.Writer) (s *lab.Session, done func(), err error) {
	release, err := f.lockLab(ctx, command, wait)
	if err != nil {
		return nil, nil, err
	}
	if s, err = f.Session(w); err != nil {
		release()
		return nil, nil, err
	}
	return s, func() { s.Close(); release() }, nil
}

// addWaitLock is the flag of the commands that change the lab.
func addWaitLock(cmd *cobra.Command, wait *bool) {
	cmd.Flags().BoolVar(wait, "wait-lock", false, "when another command is changing the lab, wait for it instead of failing")
}
