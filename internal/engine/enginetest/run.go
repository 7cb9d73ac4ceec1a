package enginetest

import (
	"context"
	"fmt"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
)

// OnRun decides what a helper container (one labelled engine.LabelHelper)
// does when started: it exits at once with the code and output fn returns.
// Without it, helpers exit 0 with no output. fn runs with the Fake locked.
func (f *Fake) OnRun(fn func(spec engine.ContainerSpec) (exitCode int, output string)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.onRun = fn
}

// Wait returns the exit code of a container that is not running; the fake
// cannot wait for one that runs.
func (f *Fake) Wait(_ context.Context, id string) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.lookup("Wait", id)
	if err != nil {
		return -1, err
	}
	if c.State == engine.StateRunning || c.State == engine.StatePaused {
		return -1, fmt.Errorf("enginetest: Wait on %s, which runs, would never return", c.Name)
	}
	return c.exitCode, nil
}

// FailStart makes Start of the containers of service fail with err.
func (f *Fake) FailStart(service string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.startFail[service] = err
}

// ExitOnStart makes the containers of service exit as soon as they start,
// leaving logs as their output.
func (f *Fake) ExitOnStart(service, logs string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.exitOnRun[service] = logs
}
