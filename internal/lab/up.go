package lab

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/composefile"
	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/image"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/readiness"
	"github.com/sentinel-lab/sentinel-lab/internal/render"
	"github.com/sentinel-lab/sentinel-lab/internal/wait"
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
}

// Up renders the lab, starts what is not running and waits until it is
// healthy.
func (s *Session) Up(ctx context.Context, dir labdir.Dir, cfg *config.Config, opts UpOptions) (*UpResult, error) {
	p := s.Progress
	begin := s.Now()
	// Nothing is written before the engine answers.
	desc, err := s.Engine.Ping(ctx)
	if err != nil {
		return nil, err
	}
	p.Printf("%s", desc)
	taken, nets, err := s.takenSubnets(ctx, cfg.Name)
	if err != nil {
		return nil, err
	}
	l, err := Resolve(dir, cfg, taken)
	if err != nil {
		return nil, err
	}
	s.Lab = l
	if other := foreignOverlap(nets, cfg.Name, l.Topology.Subnet); other != "" {
		return nil, fmt.Errorf("the lab's subnet %s overlaps network %s; choose a free one with --subnet (and run `sentinel-lab down --volumes` first if the lab already has data)",
			l.Topology.Subnet, other)
	}
	existing, err := s.Containers(ctx)
	if err != nil {
		return nil, err
	}
	removed, err := s.checkShrink(ctx, existing)
	if err != nil {
		return nil, err
	}

	res := &UpResult{Lab: l}
	// The image this lab already runs is used again while it is there and
	// the configured one has not changed: no pull to try on every up.
	if prev := l.state.Image; prev != "" && l.state.Config["image"] == cfg.Image {
		if ok, err := s.Engine.ImageExists(ctx, prev); err == nil && ok {
			res.Image = image.Result{Ref: prev, Source: image.Present}
		}
	}
	if res.Image.Ref == "" {
		if res.Image, err = image.Ensure(ctx, s.Engine, s.Host, cfg.Image, p.Writer()); err != nil {
			return nil, err
		}
		if res.Image.Note != "" {
			p.Printf("note: %s", res.Image.Note)
		}
	}
	l.Image = res.Image.Ref

	if res.Render, err = l.Render(opts.Flags); err != nil {
		return nil, err
	}
	if res.Render.Changed() {
		p.Printf("rendered the lab's files in %s", dir.Root)
	}
	for _, n := range res.Render.Notes {
		p.Printf("note: %s", n)
	}
	project, err := composefile.Load(ctx, dir, cfg.Name, l.ComposeEnv())
	if err != nil {
		return nil, err
	}
	networks, err := PlanNetworks(project)
	if err != nil {
		return nil, err
	}
	services, err := PlanServices(project, composefile.Files(dir))
	if err != nil {
		return nil, err
	}
	if err := checkLabServices(l, services); err != nil {
		return nil, err
	}

	if err := s.removeOrphanNodes(ctx, services, existing); err != nil {
		return nil, err
	}
	missing := missingNetworks(networks, nets)
	actions := planWith(services, existing, missing)
	if len(actions) == 0 {
		if h := probe.Evaluate(l.Topology, s.Snapshot(ctx)); h.Healthy {
			res.AlreadyUp, res.Health = true, h
			return res, nil
		}
	}
	for try := 0; opts.CheckPorts; try++ {
		err := checkPortsFree(actions)
		if err == nil {
			break
		}
		// After an interrupted up the daemon may still be starting one of
		// the lab's own containers, whose port is then taken by itself:
		// look again in a moment before calling it someone else's.
		var inUse *PortsInUseError
		if !errors.As(err, &inUse) || !inUse.ownContainers(existing) || try >= 10 {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-s.Time().After(300 * time.Millisecond):
		}
		if existing, err = s.Containers(ctx); err != nil {
			return nil, err
		}
		actions = planWith(services, existing, missing)
	}
	made := &made{}
	// A failed up removes what it made, so nothing is left half-created,
	// unless asked to keep it or interrupted: after Ctrl-C the next up
	// completes the lab from where it stopped.
	fail := func(err error) (*UpResult, error) {
		if opts.Retain || ctx.Err() != nil || made.empty() {
			return res, err
		}
		return res, s.rollback(made, err)
	}
	if err := s.ensureNetworks(ctx, networks, made); err != nil {
		return fail(err)
	}
	if err := s.apply(ctx, actions, res, made); err != nil {
		return fail(err)
	}
	started := s.Now()
	res.Health, err = s.waitHealthy(ctx, opts.Timeout, newForgetting(removed))
	if err == nil {
		for _, n := range l.Topology.Nodes {
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

// made records what one up created.
type made struct {
	mu         sync.Mutex
	containers []string
	networks   []string
}

func (m *made) container(id string) {
	m.mu.Lock()
	m.containers = append(m.containers, id)
	m.mu.Unlock()
}

func (m *made) empty() bool { return len(m.containers) == 0 && len(m.networks) == 0 }

// rollback removes what a failed up created and says so with its error.
func (s *Session) rollback(m *made, cause error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, id := range m.containers {
		if err := s.Engine.Remove(ctx, id); err != nil {
			return fmt.Errorf("%w\nremoving what this up created also failed: %v", cause, err)
		}
	}
	for _, n := range m.networks {
		if err := s.Engine.RemoveNetwork(ctx, n); err != nil {
			return fmt.Errorf("%w\nremoving what this up created also failed: %v", cause, err)
		}
	}
	return &RolledBackError{Err: cause, Containers: len(m.containers), Networks: len(m.networks)}
}

// RolledBackError is a failed up that removed what it had created.
type RolledBackError struct {
	Err                  error
	Containers, Networks int
}

func (e *RolledBackError) Error() string {
	return fmt.Sprintf("%v\n(removed the %d containers and %d networks this up created; --retain keeps them to inspect)",
		e.Err, e.Containers, e.Networks)
}

func (e *RolledBackError) Unwrap() error { return e.Err }

// checkLabServices makes sure the compose files still define every node:
// a hand edit that dropped one would leave the lab unable to fail over.
func checkLabServices(l *Lab, services []ServicePlan) error {
	have := map[string]bool{}
	for _, s := range services {
		have[s.Service] = true
	}
	var missing []string
	for _, n := range l.Topology.Nodes {
		if !have[n.Service] {
			missing = append(missing, n.Service)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s does not define %s; restore it (delete it and run `sentinel-lab render`)",
			l.Dir.Rel(l.Dir.ComposeFile()), strings.Join(missing, ", "))
	}
	return nil
}

// removeOrphanNodes removes the containers of lab nodes the compose files no
// longer define (the lab was shrunk: --replicas 1 after 2), and names other
// containers of the project that no file defines.
func (s *Session) removeOrphanNodes(ctx context.Context, services []ServicePlan, existing map[string]engine.Container) error {
	defined := map[string]bool{}
	for _, s := range services {
		defined[s.Service] = true
	}
	for service, c := range existing {
		if defined[service] {
			continue
		}
		if c.Labels[engine.LabelRole] == "" {
			s.Progress.Printf("note: container %s (service %s) is no longer in the compose files; `sentinel-lab down` removes it", c.Name, service)
			continue
		}
		if err := s.Engine.Remove(ctx, c.ID); err != nil {
			return err
		}
		delete(existing, service)
		s.Progress.Printf("%s: removed, the lab no longer has it (its data/%s is kept)", service, service)
	}
	return nil
}

// actionKind is what `up` does to one service's container.
type actionKind string

const (
	actCreate   actionKind = "create"
	actStart    actionKind = "start"
	actUnpause  actionKind = "unpause"
	actRecreate actionKind = "recreate"
)

type action struct {
	kind     actionKind
	plan     ServicePlan
	existing engine.Container
	// why a container is recreated, when not for a changed spec.
	why string
}

// planActions compares what should run with what exists. Running
// containers whose spec is unchanged are left alone.
func planActions(services []ServicePlan, existing map[string]engine.Container) []action {
	var out []action
	for _, s := range services {
		c, ok := existing[s.Service]
		switch {
		case !ok:
			out = append(out, action{kind: actCreate, plan: s})
		case c.Labels[engine.LabelSpecHash] != s.Hash:
			out = append(out, action{kind: actRecreate, plan: s, existing: c})
		case c.State == engine.StatePaused:
			out = append(out, action{kind: actUnpause, plan: s, existing: c})
		case c.State != engine.StateRunning:
			out = append(out, action{kind: actStart, plan: s, existing: c})
		}
	}
	return out
}

// checkPortsFree fails before anything is created when a port a container
// would publish is already taken on this host, naming the port and node.
func checkPortsFree(actions []action) error {
	var problems, services []string
	for _, a := range actions {
		switch {
		case a.kind == actUnpause:
			continue // a paused container still holds its ports
		case a.kind == actRecreate && (a.existing.State == engine.StateRunning || a.existing.State == engine.StatePaused):
			// The container being replaced holds its own ports until it
			// is removed; a port taken by something else still fails the
			// start, with the engine's error naming the service.
			continue
		}
		for _, port := range a.plan.Spec.Ports {
			host := port.HostIP
			if host == "" {
				host = "0.0.0.0"
			}
			addr := net.JoinHostPort(host, strconv.Itoa(int(port.HostPort)))
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				problems = append(problems, fmt.Sprintf("port %s, wanted by %s, is already in use (%v)", addr, a.plan.Service, unwrapSyscall(err)))
				services = append(services, a.plan.Service)
				continue
			}
			ln.Close()
		}
	}
	if len(problems) > 0 {
		return &PortsInUseError{Problems: problems, Services: services}
	}
	return nil
}

// PortsInUseError lists published ports other programs hold.
type PortsInUseError struct {
	Problems []string
	// Services are the nodes whose ports are taken.
	Services []string
}

// ownContainers tells whether every service whose port is taken has a
// container of this lab already, which may be what holds the port.
func (e *PortsInUseError) ownContainers(existing map[string]engine.Container) bool {
	for _, s := range e.Services {
		if _, ok := existing[s]; !ok {
			return false
		}
	}
	return true
}

func (e *PortsInUseError) Error() string {
	return strings.Join(e.Problems, "\n") +
		"\nfree them, or publish the lab elsewhere: --port 7000 (data nodes) and --sentinel-port 27000 (sentinels)"
}

func unwrapSyscall(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		var inner interface{ Unwrap() error }
		if errors.As(op.Err, &inner) && inner.Unwrap() != nil {
			return inner.Unwrap()
		}
		return op.Err
	}
	return err
}

func (s *Session) ensureNetworks(ctx context.Context, networks []NetworkPlan, m *made) error {
	existing, err := s.Engine.Networks(ctx)
	if err != nil {
		return err
	}
	for _, n := range networks {
		var found *engine.Network
		for i := range existing {
			if existing[i].Name == n.Spec.Name {
				found = &existing[i]
			}
		}
		switch {
		case found != nil && n.Spec.Subnet.IsValid() && !containsPrefix(found.Subnets, n.Spec.Subnet):
			return networkMismatch(n, *found)
		case found != nil:
		case n.External:
			return fmt.Errorf("external network %s does not exist; create it first (docker network create %s)", n.Spec.Name, n.Spec.Name)
		default:
			if err := s.Engine.CreateNetwork(ctx, n.Spec); err != nil {
				return err
			}
			m.networks = append(m.networks, n.Spec.Name)
			s.Progress.Printf("created network %s (%s)", n.Spec.Name, subnetText(n.Spec.Subnet))
		}
	}
	return nil
}

func containsPrefix(list []netip.Prefix, p netip.Prefix) bool {
	for _, q := range list {
		if q == p {
			return true
		}
	}
	return false
}

// apply runs every action concurrently and returns the first failure; the
// calls under way finish (an engine call is never cut short, see
// applyOne). Containers made so far carry the lab's labels, so `up` again
// completes the lab and `down` removes them.
func (s *Session) apply(ctx context.Context, actions []action, res *UpResult, m *made) error {
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		firstErr error
	)
	record := func(list *[]string, service string) {
		mu.Lock()
		*list = append(*list, service)
		mu.Unlock()
	}
	for _, a := range actions {
		wg.Go(func() {
			err := s.applyOne(ctx, a, m)
			mu.Lock()
			if err != nil && firstErr == nil {
				firstErr = err
			}
			mu.Unlock()
			if err != nil {
				return
			}
			switch a.kind {
			case actCreate:
				record(&res.Created, a.plan.Service)
			case actRecreate:
				record(&res.Recreated, a.plan.Service)
			default:
				record(&res.Started, a.plan.Service)
			}
		})
	}
	wg.Wait()
	return firstErr
}

// engineCallTimeout bounds an engine call that an interrupt does not cut
// short.
const engineCallTimeout = time.Minute

// applyOne brings one service's container to running. The engine calls
// that make or start a container are not cancelled by an interrupt: the
// daemon rolls back a create whose request was cut short, and a next up
// that listed the container meanwhile would start one that is going away.
// Ctrl-C stops up between calls instead.
func (s *Session) applyOne(ctx context.Context, a action, m *made) error {
	call, cancel := context.WithTimeout(context.WithoutCancel(ctx), engineCallTimeout)
	defer cancel()
	switch a.kind {
	case actUnpause:
		if err := s.Engine.Unpause(call, a.existing.ID); err != nil {
			return err
		}
		s.Progress.Node(a.plan.Service, "running: unpaused")
		return nil
	case actStart:
		err := s.Engine.Start(call, a.existing.ID)
		if err == nil {
			s.Progress.Node(a.plan.Service, fmt.Sprintf("running: started again, at its address %s", staticAddress(a.plan.Spec)))
			return nil
		}
		// A container listed a moment ago can be gone: one another up's
		// cut-short create left, removed by the daemon (SIGKILL leaves no
		// choice), or one removed by hand. It is created again.
		if !engine.IsNotFound(err) {
			return fmt.Errorf("%s: %w", a.plan.Service, err)
		}
	case actRecreate:
		if err := s.Engine.Remove(call, a.existing.ID); err != nil {
			return err
		}
	}
	if err := s.createAndStart(ctx, call, a, m); err != nil {
		return fmt.Errorf("%s: %w", a.plan.Service, err)
	}
	verb := "created and started"
	if a.kind == actRecreate {
		verb = "recreated (" + cmp.Or(a.why, "its configuration changed") + ")"
	}
	s.Progress.Node(a.plan.Service, fmt.Sprintf("running: %s at %s", verb, staticAddress(a.plan.Spec)))
	return nil
}

// createAndStart creates a's container and starts it. A container that
// vanishes between the two (the daemon finishing the rollback of a cut
// short create that held the name) is created again, a few times at most.
func (s *Session) createAndStart(ctx, call context.Context, a action, m *made) error {
	for attempt := 1; ; attempt++ {
		id, err := s.Engine.CreateContainer(call, a.plan.Spec)
		if err != nil && strings.Contains(err.Error(), "is already in use") {
			// An interrupted up's create can finish in the daemon after we
			// listed the containers: take it over if it is this service's.
			id, err = s.adopt(call, a, err)
		} else if err == nil {
			m.container(id)
		}
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err() // interrupted: the container is made, the next up starts it
		}
		err = s.Engine.Start(call, id)
		switch {
		case err == nil:
			return nil
		case engine.IsNotFound(err) && attempt < 3:
			continue
		case strings.Contains(err.Error(), "executable file not found") && a.plan.Spec.Labels[engine.LabelRole] != "":
			return fmt.Errorf("image %s has no redis-server, so it cannot run a lab node; use a Redis (>= 6.2) or Valkey image, such as --image %s",
				a.plan.Spec.Image, config.DefaultImage)
		}
		return err
	}
}

// adopt finds the container of a's service that a create conflicted with.
// One created from the same spec is used as it is; another is replaced.
func (s *Session) adopt(ctx context.Context, a action, conflict error) (string, error) {
	labels := map[string]string{engine.LabelProject: a.plan.Spec.Labels[engine.LabelProject], engine.LabelService: a.plan.Service}
	var list []engine.Container
	// The daemon holds the name from the start of a create but lists the
	// container only once it is made: give it a moment.
	for try := 0; try < 50 && len(list) == 0; try++ {
		var err error
		if list, err = s.Engine.Containers(ctx, labels); err != nil {
			return "", err
		}
		if len(list) == 0 {
			select {
			case <-ctx.Done():
				return "", ctx.Err()
			case <-s.Time().After(100 * time.Millisecond):
			}
		}
	}
	for _, c := range list {
		if c.Name != a.plan.Spec.Name {
			continue
		}
		if c.Labels[engine.LabelSpecHash] == a.plan.Hash {
			return c.ID, nil
		}
		if err := s.Engine.Remove(ctx, c.ID); err != nil {
			return "", err
		}
		return s.Engine.CreateContainer(ctx, a.plan.Spec)
	}
	return "", conflict // a container of something else holds the name
}

func staticAddress(spec engine.ContainerSpec) string {
	for _, ep := range spec.Endpoints {
		if ep.IPv4.IsValid() {
			return ep.IPv4.String()
		}
	}
	return "an address the engine picks"
}

// waitHealthy polls the lab until it is healthy. A lab container that
// exits meanwhile fails the wait at once, with its last log lines.
func (s *Session) waitHealthy(ctx context.Context, timeout time.Duration, forget *forgetting) (probe.Health, error) {
	l := s.Lab
	var last probe.Health
	strategy := wait.Strategy{
		Clock: s.Clock, Interval: s.interval(), Timeout: timeout,
		OnChange: func(_ time.Duration, cond string) { s.Progress.Printf("waiting: %s", cond) },
	}
	_, err := strategy.Until(ctx, func(ctx context.Context) (bool, string, error) {
		if err := s.checkNoneExited(ctx); err != nil {
			return false, "", err
		}
		snap := s.Snapshot(ctx)
		if err := wrongPassword(l, snap); err != nil {
			return false, "", err
		}
		if did, err := forget.step(ctx, s.Nodes(), l, snap); err != nil {
			return false, "", err
		} else if did != "" {
			s.Progress.Printf("%s", did)
			return false, "the sentinels forget the nodes that are gone", nil
		}
		last = probe.Evaluate(l.Topology, snap)
		return last.Healthy, last.Condition(), nil
	})
	var te *wait.TimeoutError
	if errors.As(err, &te) {
		return last, fmt.Errorf("the lab is not healthy after %s (--timeout); still not true: %s",
			te.After.Round(100*time.Millisecond), strings.Join(last.Problems, "; "))
	}
	return last, err
}

// ExitedError is a lab container that stopped on its own.
type ExitedError struct {
	Service string
	State   string
	Logs    string
	// While says when: "" is while the lab was starting.
	While string
}

func (e *ExitedError) Error() string {
	msg := fmt.Sprintf("%s stopped %s (state %s)", e.Service, cmp.Or(e.While, "while the lab was starting"), e.State)
	if logs := strings.TrimSpace(e.Logs); logs != "" {
		msg += "; its last lines:\n" + indent(logs, "    ")
	}
	return msg + exitHint(e.Service, e.Logs)
}

func (s *Session) checkNoneExited(ctx context.Context) error {
	return s.CheckExited(ctx, nil, "")
}

// LastLines returns the container's own output (where start-up errors such
// as a bad conf go) and, when there is none, the end of its log file.
func (s *Session) LastLines(ctx context.Context, c engine.Container, n int) string {
	out, _ := s.Engine.Logs(ctx, c.ID, n)
	if strings.TrimSpace(out) != "" {
		return out
	}
	node, ok := s.Lab.Topology.Node(c.Service)
	if !ok {
		return ""
	}
	if b, err := s.Engine.ReadFile(ctx, c.ID, node.LogFile()); err == nil {
		return tail(string(b), n)
	}
	return ""
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+prefix)
}
