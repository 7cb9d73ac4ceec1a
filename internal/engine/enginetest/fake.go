// Package enginetest holds an in-memory engine.Engine for unit tests of the
// orchestration: containers with states, labels and addresses, networks
// with subnets, images, failures on demand, and a record of every call.
package enginetest

import (
	"context"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
)

// Fake is an in-memory engine. It is safe for concurrent use: `up` creates
// and starts containers concurrently. The zero value is not usable; call New.
type Fake struct {
	mu         sync.Mutex
	desc       string
	images     map[string]bool
	networks   map[string]*engine.Network // by name
	containers map[string]*container      // by id
	nextID     int
	nextNet    int
	calls      []string
	failures   map[string]error
	startFail  map[string]error  // by service
	exitOnRun  map[string]string // by service: logs of a container that exits once started
	onExec     func(c engine.Container, spec engine.ExecSpec) (int, error)
	onChange   func(c engine.Container, removed bool)
	onStart    map[string][]appendFile // by service
	onRun      func(spec engine.ContainerSpec) (int, string)
	vanish     map[string]bool // by service: the next start finds it gone
	swarm      swarmState
}

// appendFile is what a container writes to a file when it starts.
type appendFile struct {
	path    string
	content []byte
}

type container struct {
	engine.Container
	spec engine.ContainerSpec
	// netIDs are the ids of the networks it was created on: like Docker,
	// it cannot start once one is removed, even if one of the same name
	// was created again.
	netIDs   map[string]string
	logs     string
	files    map[string][]byte
	exitCode int
	// node is the swarm host of a task's container: only the engine of
	// that host lists it.
	node string
}

// New returns an empty engine holding the given images.
func New(images ...string) *Fake {
	f := &Fake{
		desc:       "fake engine",
		images:     map[string]bool{},
		networks:   map[string]*engine.Network{},
		containers: map[string]*container{},
		failures:   map[string]error{},
		startFail:  map[string]error{},
		exitOnRun:  map[string]string{},
	}
	for _, ref := range images {
		f.images[ref] = true
	}
	return f
}

// FailOn makes every call of method ("Ping", "CreateNetwork", ...) fail
// with err; a nil err clears the failure.
func (f *Fake) FailOn(method string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err == nil {
		delete(f.failures, method)
		return
	}
	f.failures[method] = err
}

// Calls returns every call made so far, as "Method arg": the argument is
// the service of a container (its name when it has no service label), the
// name of a network or the image reference.
func (f *Fake) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// CallsTo returns the arguments of the calls of one method, sorted.
func (f *Fake) CallsTo(method string) []string {
	var out []string
	for _, c := range f.Calls() {
		if m, arg, _ := strings.Cut(c, " "); m == method {
			out = append(out, arg)
		}
	}
	slices.Sort(out)
	return out
}

// ResetCalls forgets the calls made so far.
func (f *Fake) ResetCalls() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = nil
}

// Find returns the container of service in project.
func (f *Fake) Find(project, service string) (engine.Container, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.containers {
		if c.Labels[engine.LabelProject] == project && c.Service == service {
			return c.copy(), true
		}
	}
	return engine.Container{}, false
}

// SetState puts a container in state (running, paused, exited, ...).
func (f *Fake) SetState(id, state string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.mustGet(id)
	c.State = state
	f.changed(c, false)
}

func (f *Fake) mustGet(id string) *container {
	c, ok := f.containers[id]
	if !ok {
		panic("enginetest: no container " + id)
	}
	return c
}

// begin records a call and returns the failure configured for its method.
// The caller holds f.mu.
func (f *Fake) begin(method, arg string) error {
	f.calls = append(f.calls, strings.TrimSpace(method+" "+arg))
	return f.failures[method]
}

// lookup finds a container by id and records the call under its service.
func (f *Fake) lookup(method, id string) (*container, error) {
	c, ok := f.containers[id]
	arg := id
	if ok {
		arg = c.label()
	}
	if err := f.begin(method, arg); err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("no such container: %s: %w", id, cerrdefs.ErrNotFound)
	}
	return c, nil
}

func (c *container) label() string {
	if c.Service != "" {
		return c.Service
	}
	return c.Name
}

func (c *container) copy() engine.Container {
	out := c.Container
	out.Labels = maps.Clone(c.Labels)
	out.Addresses = maps.Clone(c.Addresses)
	return out
}

// Ping answers unless it was told to fail.
func (f *Fake) Ping(context.Context) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin("Ping", ""); err != nil {
		return "", err
	}
	return f.desc, nil
}

// Containers lists the containers carrying all of labels, sorted by name.
func (f *Fake) Containers(_ context.Context, labels map[string]string) ([]engine.Container, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin("Containers", ""); err != nil {
		return nil, err
	}
	var out []engine.Container
	for _, c := range f.containers {
		if c.node != "" && c.node != f.swarm.info.NodeID {
			continue // a task's container on another host of the swarm
		}
		if hasLabels(c.Labels, labels) {
			out = append(out, c.copy())
		}
	}
	slices.SortFunc(out, func(a, b engine.Container) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// CreateContainer creates a container in state created. Like Docker, it
// refuses a name in use, a missing image, a missing network and a request
// whose context ended.
func (f *Fake) CreateContainer(ctx context.Context, spec engine.ContainerSpec) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := ctx.Err(); err != nil {
		// Like the daemon, which rolls back a create whose request was
		// cut short.
		return "", fmt.Errorf("creating container %s: %w", spec.Name, err)
	}
	arg := spec.Labels[engine.LabelService]
	if arg == "" {
		arg = spec.Name
	}
	if err := f.begin("CreateContainer", arg); err != nil {
		return "", err
	}
	for _, c := range f.containers {
		if c.Name == spec.Name {
			return "", fmt.Errorf("container name %s is already in use", spec.Name)
		}
	}
	if !f.images[spec.Image] {
		return "", fmt.Errorf("no such image: %s", spec.Image)
	}
	addrs, netIDs := map[string]netip.Addr{}, map[string]string{}
	if strings.HasPrefix(spec.NetworkMode, "container:") {
		if _, ok := f.containers[strings.TrimPrefix(spec.NetworkMode, "container:")]; !ok {
			return "", fmt.Errorf("joining the network of %s: no such container", spec.NetworkMode)
		}
	}
	for _, ep := range spec.Endpoints {
		n, ok := f.networks[ep.Network]
		if !ok {
			return "", fmt.Errorf("network %s not found", ep.Network)
		}
		addrs[ep.Network], netIDs[ep.Network] = ep.IPv4, n.ID
	}
	f.nextID++
	id := fmt.Sprintf("c%03d", f.nextID)
	f.containers[id] = &container{
		Container: engine.Container{
			ID: id, Name: spec.Name, Service: spec.Labels[engine.LabelService], Image: spec.Image,
			State: engine.StateCreated, Labels: maps.Clone(spec.Labels), Addresses: addrs,
		},
		spec: spec, netIDs: netIDs,
	}
	return id, nil
}

// Spec returns the spec a container was created from.
func (f *Fake) Spec(id string) engine.ContainerSpec {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.mustGet(id).spec
}

// Start runs a created or stopped container, unless FailStart or
// ExitOnStart says otherwise for its service.
func (f *Fake) Start(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.lookup("Start", id)
	if err != nil {
		return err
	}
	if err := f.startFail[c.Service]; err != nil {
		return err
	}
	if f.vanish[c.Service] {
		// The daemon finished rolling the container back meanwhile.
		delete(f.vanish, c.Service)
		delete(f.containers, id)
		return fmt.Errorf("starting %s: No such container: %w", id, cerrdefs.ErrNotFound)
	}
	if c.State == engine.StatePaused {
		return fmt.Errorf("cannot start a paused container %s", c.Name)
	}
	for name, id := range c.netIDs {
		if n, ok := f.networks[name]; !ok || n.ID != id {
			return fmt.Errorf("network %s not found", id)
		}
	}
	c.State = engine.StateRunning
	for _, a := range f.onStart[c.Service] {
		if c.files == nil {
			c.files = map[string][]byte{}
		}
		c.files[a.path] = append(c.files[a.path], a.content...)
	}
	delete(f.onStart, c.Service)
	if logs, ok := f.exitOnRun[c.Service]; ok {
		c.State, c.logs = engine.StateExited, logs
	}
	if c.Labels[engine.LabelHelper] != "" {
		// A helper runs to completion at once, as OnRun says.
		c.State, c.exitCode, c.logs = engine.StateExited, 0, ""
		if f.onRun != nil {
			c.exitCode, c.logs = f.onRun(c.spec)
		}
	}
	f.changed(c, false)
	return nil
}

// Kill stops a running container.
func (f *Fake) Kill(_ context.Context, id, _ string) error {
	return f.transition("Kill", id, engine.StateRunning, engine.StateExited)
}

// Stop stops a running container.
func (f *Fake) Stop(_ context.Context, id string, _ time.Duration) error {
	return f.transition("Stop", id, engine.StateRunning, engine.StateExited)
}

// Pause freezes a running container.
func (f *Fake) Pause(_ context.Context, id string) error {
	return f.transition("Pause", id, engine.StateRunning, engine.StatePaused)
}

// Unpause thaws a paused container.
func (f *Fake) Unpause(_ context.Context, id string) error {
	return f.transition("Unpause", id, engine.StatePaused, engine.StateRunning)
}

func (f *Fake) transition(method, id, from, to string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.lookup(method, id)
	if err != nil {
		return err
	}
	if c.State != from {
		return fmt.Errorf("%s: container %s is %s, not %s", method, c.Name, c.State, from)
	}
	c.State = to
	f.changed(c, false)
	return nil
}

// Remove removes a container in any state; a missing one is not an error
// (as with Docker's forced remove of a container already gone).
func (f *Fake) Remove(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	arg := id
	if c, ok := f.containers[id]; ok {
		arg = c.label()
	}
	if err := f.begin("Remove", arg); err != nil {
		return err
	}
	if c, ok := f.containers[id]; ok {
		f.changed(c, true)
	}
	delete(f.containers, id)
	return nil
}

// VanishOnStart makes the next start of service's container find it gone,
// as when the daemon rolls back a create whose request was cut short.
func (f *Fake) VanishOnStart(service string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.vanish == nil {
		f.vanish = map[string]bool{}
	}
	f.vanish[service] = true
}

// AppendOnStart makes service's container append content to the file at
// path the next time it starts, as a node logs what it does once back.
func (f *Fake) AppendOnStart(service, path string, content []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.onStart == nil {
		f.onStart = map[string][]appendFile{}
	}
	f.onStart[service] = append(f.onStart[service], appendFile{path, content})
}

// OnChange calls fn whenever a container starts, stops, is paused or
// unpaused, changes networks or is removed, so a fake of what runs in the
// containers can follow. fn runs with the Fake locked: it must not call it.
func (f *Fake) OnChange(fn func(c engine.Container, removed bool)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.onChange = fn
}

// changed tells the OnChange function; the caller holds mu.
func (f *Fake) changed(c *container, removed bool) {
	if f.onChange != nil {
		f.onChange(c.copy(), removed)
	}
}

var _ engine.Engine = (*Fake)(nil)
