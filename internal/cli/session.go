package cli

import (
	"io"

	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
)

// session is what the commands acting on a lab that was already created
// (status, kill-master, revive, soak) work with.
type session struct {
	lab    *lab.Lab
	env    *lab.Env
	prober *probe.Prober
}

// openSession opens the lab of the lab directory, the engine (progress to
// w, nil for none) and connections to the lab's nodes.
func openSession(g *globalOptions, f *Factory, w io.Writer) (*session, error) {
	l, err := openLab(g)
	if err != nil {
		return nil, err
	}
	env, err := f.Env(w)
	if err != nil {
		return nil, err
	}
	return &session{lab: l, env: env, prober: l.Prober(env.Engine, f.Reach)}, nil
}

// Close closes the connections to the nodes.
func (s *session) Close() { s.prober.Close() }

// resolveLab resolves the lab of the lab directory under the given
// configuration flags, for the commands that render or show it; it writes
// nothing and never connects to Docker.
func resolveLab(g *globalOptions, flags *configFlags) (*lab.Lab, error) {
	dir, err := g.labDir()
	if err != nil {
		return nil, err
	}
	cfg, err := flags.load(dir)
	if err != nil {
		return nil, err
	}
	return lab.Resolve(dir, cfg, nil)
}
