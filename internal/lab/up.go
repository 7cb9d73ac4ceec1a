package lab

import (
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
}

// Up renders the lab, starts what is not running and waits until it is
// healthy.
func (e *Env) Up(ctx context.Context, dir labdir.Dir, cfg *config.Config, opts UpOptions) (*UpResult, error) {
	p := e.Progress
	begin := e.clock().Now()
	// Nothing is written before the engine answers.
	desc, err := e.Engine.Ping(ctx)
	if err != nil {
		return nil, err
	}
	p.Printf("%s", desc)
	taken, nets, err := e.takenSubnets(ctx, cfg.Name)
	if err != nil {
		return nil, err
	}
	l, err := Resolve(dir, cfg, taken)
	if err != nil {
		return nil, err
	}
	if other := foreignOverlap(nets, cfg.Name, l.Topology.Subnet); other != "" {
		return nil, fmt.Errorf("the lab's subnet %s overlaps network %s; choose a free one with --subnet (and run `sentinel-lab down --volumes` first if the lab already has data)",
			l.Topology.Subnet, other)
	}
	existing, err := e.Containers(ctx, l)
	if err != nil {
		return nil, err
	}

	res := &UpResult{Lab: l}
	// The image this lab already runs is used again while it is there and
	// the configured one has not changed: no pull to try on every up.
	if prev := l.state.Image; prev != "" && l.state.Config["image"] == cfg.Image {
		if ok, err := e.Engine.ImageExists(ctx, prev); err == nil && ok {
			res.Image = image.Result{Ref: prev, Source: image.Present}
		}
	}
	if res.Image.Ref == "" {
		if res.Image, err = image.Ensure(ctx, e.Engine, e.Host, cfg.Image, p.Writer()); err != nil {
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

	if err := e.removeOrphanNodes(ctx, services, existing); err != nil {
		return nil, err
	}
	actions := planActions(services, existing)
	if len(actions) == 0 {
		snap := e.snapshot(ctx, l)
		if h := probe.Evaluate(l.Topology, snap); h.Healthy {
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
		case <-e.clock().After(300 * time.Millisecond):
		}
		if existing, err = e.Containers(ctx, l); err != nil {
			return nil, err
		}
		actions = planActions(services, existing)
	}
	made := &made{}
	// A failed up removes what it made, so nothing is left half-created,
	// unless asked to keep it or interrupted: after Ctrl-C the next up
	// completes the lab from where it stopped.
	fail := func(err error) (*UpResult, error) {
		if opts.Retain || ctx.Err() != nil || made.empty() {
			return res, err
		}
		return res, e.rollback(made, err)
	}
	if err := e.ensureNetworks(ctx, networks, made); err != nil {
		return fail(err)
	}
	if err := e.apply(ctx, actions, res, made); err != nil {
		return fail(err)
	}
	started := e.clock().Now()
	res.Health, err = e.waitHealthy(ctx, l, opts.Timeout)
	if err == nil {
		for _, n := range l.Topology.Nodes {
			e.Progress.Node(n.Service, "healthy")
		}
	}
	e.Progress.Done()
	if err != nil {
		return fail(err)
	}
	res.HealthyAfter = e.clock().Now().Sub(started)
	res.Took = e.clock().Now().Sub(begin)
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
func (e *Env) rollback(m *made, cause error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, id := range m.containers {
		if err := e.Engine.Remove(ctx, id); err != nil {
			return fmt.Errorf("%w\nremoving what this up created also failed: %v", cause, err)
		}
	}
	for _, n := range m.networks {
		if err := e.Engine.RemoveNetwork(ctx, n); err != nil {
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
func (e *Env) removeOrphanNodes(ctx context.Context, services []ServicePlan, existing map[string]engine.Container) error {
	defined := map[string]bool{}
	for _, s := range services {
		defined[s.Service] = true
	}
	for service, c := range existing {
		if defined[service] {
			continue
		}
		if c.Labels[engine.LabelRole] == "" {
			e.Progress.Printf("note: container %s (service %s) is no longer in the compose files; `sentinel-lab down` removes it", c.Name, service)
			continue
		}
		if err := e.Engine.Remove(ctx, c.ID); err != nil {
			return err
		}
		delete(existing, service)
		e.Progress.Printf("%s: removed, the lab no longer has it (its data/%s is kept)", service, service)
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

func (e *Env) ensureNetworks(ctx context.Context, networks []NetworkPlan, m *made) error {
	existing, err := e.Engine.Networks(ctx)
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
			return fmt.Errorf("network %s exists with subnet %v, not %s; remove the lab with `sentinel-lab down` and run up again",
				n.Spec.Name, found.Subnets, n.Spec.Subnet)
		case found != nil:
		case n.External:
			return fmt.Errorf("external network %s does not exist; create it first (docker network create %s)", n.Spec.Name, n.Spec.Name)
		default:
			if err := e.Engine.CreateNetwork(ctx, n.Spec); err != nil {
				return err
			}
			m.networks = append(m.networks, n.Spec.Name)
			e.Progress.Printf("created network %s (%s)", n.Spec.Name, n.Spec.Subnet)
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

// apply runs every action concurrently and stops at the first failure;
// containers made so far carry the lab's labels, so `up` again completes
// the lab and `down` removes them.
func (e *Env) apply(ctx context.Context, actions []action, res *UpResult, m *made) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
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
			err := e.applyOne(ctx, a, m)
			mu.Lock()
			if err != nil && firstErr == nil {
				firstErr = err
				cancel()
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

func (e *Env) applyOne(ctx context.Context, a action, m *made) error {
	switch a.kind {
	case actUnpause:
		if err := e.Engine.Unpause(ctx, a.existing.ID); err != nil {
			return err
		}
		e.Progress.Node(a.plan.Service, "running: unpaused")
		return nil
	case actStart:
		err := e.Engine.Start(ctx, a.existing.ID)
		if err == nil {
			e.Progress.Node(a.plan.Service, fmt.Sprintf("running: started again, at its address %s", staticAddress(a.plan.Spec)))
			return nil
		}
		// The daemon can still drop a container an interrupted up was
		// creating after it was listed: then it is created again.
		if !engine.IsNotFound(err) {
			return fmt.Errorf("%s: %w", a.plan.Service, err)
		}
	case actRecreate:
		if err := e.Engine.Remove(ctx, a.existing.ID); err != nil {
			return err
		}
	}
	id, err := e.Engine.CreateContainer(ctx, a.plan.Spec)
	if err != nil && strings.Contains(err.Error(), "is already in use") {
		// An interrupted up's create can finish in the daemon after we
		// listed the containers: take it over if it is this service's.
		id, err = e.adopt(ctx, a, err)
	} else if err == nil {
		m.container(id)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", a.plan.Service, err)
	}
	if err := e.Engine.Start(ctx, id); err != nil {
		if strings.Contains(err.Error(), "executable file not found") && a.plan.Spec.Labels[engine.LabelRole] != "" {
			return fmt.Errorf("%s: image %s has no redis-server, so it cannot run a lab node; use a Redis (>= 6.2) or Valkey image, such as --image %s, or build one from a server binary with `sentinel-lab image build --redis-server PATH`",
				a.plan.Service, a.plan.Spec.Image, config.DefaultImage)
		}
		return fmt.Errorf("%s: %w", a.plan.Service, err)
	}
	verb := "created and started"
	if a.kind == actRecreate {
		verb = "recreated (its configuration changed)"
	}
	e.Progress.Node(a.plan.Service, fmt.Sprintf("running: %s at %s", verb, staticAddress(a.plan.Spec)))
	return nil
}

// adopt finds the container of a's service that a create conflicted with.
// One created from the same spec is used as it is; another is replaced.
func (e *Env) adopt(ctx context.Context, a action, conflict error) (string, error) {
	labels := map[string]string{engine.LabelProject: a.plan.Spec.Labels[engine.LabelProject], engine.LabelService: a.plan.Service}
	var list []engine.Container
	// The daemon holds the name from the start of a create but lists the
	// container only once it is made: give it a moment.
	for try := 0; try < 50 && len(list) == 0; try++ {
		var err error
		if list, err = e.Engine.Containers(ctx, labels); err != nil {
			return "", err
		}
		if len(list) == 0 {
			select {
			case <-ctx.Done():
				return "", ctx.Err()
			case <-e.clock().After(100 * time.Millisecond):
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
		if err := e.Engine.Remove(ctx, c.ID); err != nil {
			return "", err
		}
		return e.Engine.CreateContainer(ctx, a.plan.Spec)
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

func (e *Env) snapshot(ctx context.Context, l *Lab) probe.Snapshot {
	pr := e.NewProber(l)
	defer pr.Close()
	return pr.Snapshot(ctx)
}

// waitHealthy polls the lab until it is healthy. A lab container that
// exits meanwhile fails the wait at once, with its last log lines.
func (e *Env) waitHealthy(ctx context.Context, l *Lab, timeout time.Duration) (probe.Health, error) {
	pr := e.NewProber(l)
	defer pr.Close()
	var last probe.Health
	strategy := wait.Strategy{
		Clock: e.Clock, Interval: e.interval(), Timeout: timeout,
		OnChange: func(_ time.Duration, cond string) { e.Progress.Printf("waiting: %s", cond) },
	}
	_, err := strategy.Until(ctx, func(ctx context.Context) (bool, string, error) {
		if err := e.checkNoneExited(ctx, l); err != nil {
			return false, "", err
		}
		last = probe.Evaluate(l.Topology, pr.Snapshot(ctx))
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
}

func (e *ExitedError) Error() string {
	msg := fmt.Sprintf("%s stopped while the lab was starting (state %s)", e.Service, e.State)
	if logs := strings.TrimSpace(e.Logs); logs != "" {
		msg += "; its last lines:\n" + indent(logs, "    ")
	}
	if strings.Contains(e.Logs, "Bad directive") || strings.Contains(e.Logs, "Unrecognized sentinel configuration") {
		msg += "\nits conf has a line this Redis does not understand: fix the conf under data/" + e.Service +
			"/data, or delete it to render it again; an image with a Redis older than 6.2 cannot run the lab"
	}
	return msg
}

func (e *Env) checkNoneExited(ctx context.Context, l *Lab) error {
	list, err := e.Engine.Containers(ctx, ProjectLabels(l.Config.Name))
	if err != nil {
		return err
	}
	for _, c := range list {
		if _, isNode := l.Topology.Node(c.Service); !isNode || c.Labels[engine.LabelOneoff] == "True" {
			continue
		}
		if c.State == engine.StateExited || c.State == "dead" {
			logs := e.lastLines(ctx, l, c, 15)
			return &ExitedError{Service: c.Service, State: c.State, Logs: logs}
		}
	}
	return nil
}

// lastLines returns the container's own output (where start-up errors such
// as a bad conf go) and, when there is none, the end of its log file.
func (e *Env) lastLines(ctx context.Context, l *Lab, c engine.Container, n int) string {
	out, _ := e.Engine.Logs(ctx, c.ID, n)
	if strings.TrimSpace(out) != "" {
		return out
	}
	for _, file := range []string{"/logs/redis.log", "/logs/sentinel.log"} {
		if b, err := e.Engine.ReadFile(ctx, c.ID, file); err == nil {
			return tail(string(b), n)
		}
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
