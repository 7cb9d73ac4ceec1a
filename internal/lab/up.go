package lab

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/composefile"
	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/image"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/readiness"
	"github.com/sentinel-lab/sentinel-lab/internal/render"
	"github.com/sentinel-lab/sentinel-lab/internal/timers"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// UpOptions tune `up`.
type UpOptions struct {
	// Flags are the configuration flags the user gave, kept with the lab.
	Flags map[string]string
	// Timeout bounds the wait for the lab to be healthy.
	Timeout time.Duration
	// CheckPorts tests that published ports are free on this host before
	// creating anything; only meaningful when the daemon is local.
	CheckPorts bool
	// Retain keeps what a failed up created, to inspect it.
	Retain bool
	// Trouble is what to do when the sentinels had trouble while the lab
	// started; "" is TroubleWait.
	Trouble Trouble
}

// UpResult says what `up` did.
type UpResult struct {
	Lab *Lab
	// AlreadyUp: everything was running and healthy; nothing was done.
	AlreadyUp bool
	Image     image.Result
	Render    *render.Result
	Created   []string
	Started   []string
	Recreated []string
	// HealthyAfter is how long the lab took to be healthy once its
	// containers were started.
	HealthyAfter time.Duration
	// Took is the whole up, from the first call to the engine.
	Took   time.Duration
	Health probe.Health
	// Trouble is what the sentinels had while the lab started, nil when
	// they only watched; TroubleWaited how long up waited it out.
	Trouble       *readiness.Report
	TroubleWaited time.Duration
	// Timers is what the sentinels run once the lab is healthy.
	Timers timers.Report
}

// Up renders the lab, starts what is not running and waits until it is
// healthy.
func (s *Session) Up(ctx context.Context, dir labdir.Dir, cfg *config.Config, opts UpOptions) (*UpResult, error) {
	begin := s.Now()
	pl, err := s.look(ctx, dir, cfg)
	if err != nil {
		return nil, err
	}
	res := &UpResult{Lab: s.Lab}
	if err := s.ensureImage(ctx, cfg, res); err != nil {
		return nil, err
	}
	if err := s.renderAndPlan(ctx, opts, res, pl); err != nil {
		return nil, err
	}
	if len(pl.actions) == 0 && len(pl.swarm) == 0 {
		if h := probe.Evaluate(s.Lab.Topology, s.Snapshot(ctx)); h.Healthy {
			// Running and healthy, but a sentinel restarted by hand (or
			// a change of --timers) needs its periods set.
			var err error
			if res.Timers, err = s.EnsureTimers(ctx); err != nil {
				return nil, err
			}
			if timersPending(res.Timers) == "" {
				res.AlreadyUp, res.Health = true, h
				return res, nil
			}
		}
	}
	if opts.CheckPorts {
		if err := s.waitPortsFree(ctx, pl); err != nil {
			return nil, err
		}
	}
	return s.start(ctx, opts, pl, res, begin)
}

// upPlan is what up found and decided before it changes anything.
type upPlan struct {
	existing map[string]engine.Container
	// removed are the nodes a shrink removes.
	removed  []topology.Node
	nets     []engine.Network
	networks []NetworkPlan
	services []ServicePlan
	missing  map[string]bool
	actions  []action
	// swarm is what up does to the services of a lab on a swarm, which
	// then has no container actions.
	swarm []swarmAction
}

// look resolves the lab against the engine, writing nothing before the
// engine answers: its subnet, its containers, what a shrink removes.
func (s *Session) look(ctx context.Context, dir labdir.Dir, cfg *config.Config) (*upPlan, error) {
	desc, err := s.Engine.Ping(ctx)
	if err != nil {
		return nil, err
	}
	s.Progress.Printf("%s", desc)
	if cfg.Swarm() {
		if err := s.checkSwarm(ctx); err != nil {
			return nil, err
		}
	}
	taken, nets, err := s.takenSubnets(ctx, cfg.Name)
	if err != nil {
		return nil, err
	}
	l, err := Resolve(dir, cfg, taken)
	if err != nil {
		return nil, err
	}
	s.Lab = l
	if cfg.Swarm() {
		if err := checkPlacement(l); err != nil {
			return nil, err
		}
	}
	if other := foreignOverlap(nets, cfg.Name, l.Topology.Subnet); other != "" {
		return nil, fmt.Errorf("the lab's subnet %s overlaps network %s; choose a free one with --subnet (and run `sentinel-lab down --volumes` first if the lab already has data)",
			l.Topology.Subnet, other)
	}
	pl := &upPlan{nets: nets}
	if pl.existing, err = s.Containers(ctx); err != nil {
		return nil, err
	}
	if pl.removed, err = s.checkShrink(ctx, pl.existing); err != nil {
		return nil, err
	}
	return pl, nil
}

// ensureImage finds the image the lab runs: the one it already runs while
// it is there and the configured one has not changed (no pull to try on
// every up), else present, pulled or built.
func (s *Session) ensureImage(ctx context.Context, cfg *config.Config, res *UpResult) error {
	l := s.Lab
	if prev := l.state.Image; prev != "" && l.state.Config["image"] == cfg.Image {
		if ok, err := s.Engine.ImageExists(ctx, prev); err == nil && ok {
			res.Image = image.Result{Ref: prev, Source: image.Present}
		}
	}
	if res.Image.Ref == "" {
		var err error
		if res.Image, err = image.Ensure(ctx, s.Engine, s.Host, cfg.Image, s.Progress.Writer()); err != nil {
			return err
		}
		if res.Image.Note != "" {
			s.Progress.Printf("note: %s", res.Image.Note)
		}
	}
	l.Image = res.Image.Ref
	if l.needsServerVersion() || l.Config.Timers == timers.Fast {
		l.ServerVersion, l.serverAsked = s.serverVersion(ctx, l.Image), true
	}
	return nil
}

// renderAndPlan renders the lab, loads its compose files and plans what
// to create, start or recreate; it removes the containers of nodes the
// lab no longer has.
func (s *Session) renderAndPlan(ctx context.Context, opts UpOptions, res *UpResult, pl *upPlan) error {
	l := s.Lab
	var err error
	if res.Render, err = l.Render(opts.Flags); err != nil {
		return err
	}
	if res.Render.Changed() {
		s.Progress.Printf("rendered the lab's files in %s", l.Dir.Root)
	}
	for _, n := range res.Render.Notes {
		s.Progress.Printf("note: %s", n)
	}
	project, err := composefile.Load(ctx, l.Dir, l.Config.Name, l.ComposeEnv())
	if err != nil {
		return err
	}
	if pl.networks, err = PlanNetworks(project); err != nil {
		return err
	}
	if pl.services, err = PlanServices(project, composefile.Files(l.Dir)); err != nil {
		return err
	}
	if err := checkLabServices(l, pl.services); err != nil {
		return err
	}
	if err := s.removeOrphanNodes(ctx, pl.services, pl.existing); err != nil {
		return err
	}
	pl.missing = missingNetworks(pl.networks, pl.nets)
	if err := checkEngineKept(l, pl.existing); err != nil {
		return err
	}
	if l.Config.Swarm() {
		for i := range pl.networks {
			pl.networks[i].Spec.Overlay = true
		}
		pl.swarm, err = s.planSwarm(ctx, pl.services, pl.existing)
		return err
	}
	pl.actions = planWith(pl.services, pl.existing, pl.missing)
	return nil
}

// waitPortsFree fails before anything is created when a port the lab
// publishes is someone else's. After an interrupted up the daemon may
// still be starting one of the lab's own containers, whose port is then
// taken by itself: it looks again a few times before saying so.
func (s *Session) waitPortsFree(ctx context.Context, pl *upPlan) error {
	for try := 0; ; try++ {
		err := checkPortsFree(pl.actions)
		if err == nil {
			return nil
		}
		var inUse *PortsInUseError
		if !errors.As(err, &inUse) || !inUse.ownContainers(pl.existing) || try >= 10 {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.Time().After(300 * time.Millisecond):
		}
		if pl.existing, err = s.Containers(ctx); err != nil {
			return err
		}
		pl.actions = planWith(pl.services, pl.existing, pl.missing)
	}
}

// start makes the networks, applies the plan and waits until the lab is
// healthy. A failed start removes what it made, so nothing is left
// half-created, unless asked to keep it or interrupted: after Ctrl-C the
// next up completes the lab from where it stopped.
func (s *Session) start(ctx context.Context, opts UpOptions, pl *upPlan, res *UpResult, begin time.Time) (*UpResult, error) {
	made := &made{}
	fail := func(err error) (*UpResult, error) {
		if opts.Retain || ctx.Err() != nil || made.empty() {
			return res, err
		}
		return res, s.rollback(made, err)
	}
	if err := s.ensureNetworks(ctx, pl.networks, made); err != nil {
		return fail(err)
	}
	if err := s.applyStaged(ctx, pl.actions, res, made); err != nil {
		return fail(err)
	}
	if err := s.applySwarm(ctx, pl.swarm, res, made); err != nil {
		return fail(err)
	}
	started := s.Now()
	var err error
	res.Health, res.Timers, err = s.waitHealthy(ctx, opts.Timeout, newForgetting(pl.removed))
	if err == nil {
		for _, n := range s.Lab.Topology.Nodes {
			s.Progress.Node(n.Service, "healthy")
		}
	}
	s.Progress.Done()
	if err != nil {
		return fail(err)
	}
	res.HealthyAfter = s.Now().Sub(started)
	if err := s.checkTrouble(ctx, begin, opts.Trouble, res); err != nil {
		return res, err
	}
	res.Took = s.Now().Sub(begin)
	return res, nil
}
