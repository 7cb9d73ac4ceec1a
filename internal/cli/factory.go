package cli

import (
	"io"
	"os"
	"sync"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/image"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/progress"
)

// Factory makes the dependencies commands need, lazily: `render` and
// `--help` never connect to Docker.
type Factory struct {
	// NewEngine connects to the container engine.
	NewEngine func() (engine.Engine, error)
	// Reach is how the CLI reaches the lab's nodes.
	Reach probe.Reach

	once   sync.Once
	engine engine.Engine
	err    error
}

// NewFactory returns the factory of the real dependencies.
func NewFactory() *Factory {
	return &Factory{NewEngine: func() (engine.Engine, error) { return engine.NewDocker() }}
}

// Engine returns the engine, connecting on first use.
func (f *Factory) Engine() (engine.Engine, error) {
	f.once.Do(func() { f.engine, f.err = f.NewEngine() })
	return f.engine, f.err
}

// Env returns the life-cycle environment, printing progress to w (nil for
// none).
func (f *Factory) Env(w io.Writer) (*lab.Env, error) {
	eng, err := f.Engine()
	if err != nil {
		return nil, err
	}
	p := progress.Discard()
	switch {
	case w == nil:
	case isTerminal(w) && os.Getenv("CI") != "true":
		p = progress.NewLive(w)
	default:
		p = progress.New(w)
	}
	return &lab.Env{
		Engine: eng, Progress: p, NewProber: lab.RealProber(eng, f.Reach), Host: image.DefaultHost,
	}, nil
}
