package enginetest

import (
	"context"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"

	cerrdefs "github.com/containerd/errdefs"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
)

// Labels the swarm puts on a task's container, as Docker does.
const (
	LabelSwarmService = "com.docker.swarm.service.name"
	LabelSwarmTask    = engine.LabelSwarmTask
)

// swarmState is the fake's swarm: not a swarm until JoinSwarm.
type swarmState struct {
	info     engine.SwarmInfo
	nodes    []engine.SwarmNode
	services map[string]*service // by id
	nextSvc  int
	nextTask int
}

type service struct {
	engine.Service
	spec  engine.ServiceSpec
	tasks []engine.Task // newest first
}

// JoinSwarm makes the fake the manager of a swarm of the named hosts (one
// host, "host-1", when none is named), as after `docker swarm init`.
func (f *Fake) JoinSwarm(hosts ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(hosts) == 0 {
		hosts = []string{"host-1"}
	}
	f.swarm.nodes = nil
	for i, h := range hosts {
		f.swarm.nodes = append(f.swarm.nodes, engine.SwarmNode{ID: fmt.Sprintf("node%d", i+1), Hostname: h, Manager: i == 0, Ready: true})
	}
	f.swarm.info = engine.SwarmInfo{State: engine.SwarmActive, Manager: true, NodeID: "node1", Nodes: len(hosts)}
}

// SetSwarmInfo sets what SwarmInfo answers (a worker, a pending node).
func (f *Fake) SetSwarmInfo(info engine.SwarmInfo) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.swarm.info = info
}

// SwarmInfo answers as JoinSwarm or SetSwarmInfo said; inactive before.
func (f *Fake) SwarmInfo(context.Context) (engine.SwarmInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin("SwarmInfo", ""); err != nil {
		return engine.SwarmInfo{}, err
	}
	info := f.swarm.info
	if info.State == "" {
		info.State = engine.SwarmInactive
	}
	return info, nil
}

// SwarmNodes lists the hosts JoinSwarm named; like Docker, only a manager
// answers.
func (f *Fake) SwarmNodes(context.Context) ([]engine.SwarmNode, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.manager("SwarmNodes", ""); err != nil {
		return nil, err
	}
	return slices.Clone(f.swarm.nodes), nil
}

// manager records a call and refuses it, as Docker does, on an engine that
// is not a swarm manager.
func (f *Fake) manager(method, arg string) error {
	if err := f.begin(method, arg); err != nil {
		return err
	}
	if !f.swarm.info.Manager {
		return fmt.Errorf("this node is not a swarm manager: %w", engine.ErrNotSwarmManager)
	}
	return nil
}

// CreateService creates a service and, for one replica, its task: a
// running container with the spec's labels on the service's overlay
// network, at an address the fake picks.
func (f *Fake) CreateService(_ context.Context, spec engine.ServiceSpec) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.manager("CreateService", spec.Name); err != nil {
		return "", err
	}
	for _, s := range f.swarm.services {
		if s.Name == spec.Name {
			return "", fmt.Errorf("service %s already exists", spec.Name)
		}
	}
	if n, ok := f.networks[spec.Network]; !ok || !n.Overlay {
		return "", fmt.Errorf("network %s not found or not an overlay network", spec.Network)
	}
	if f.swarm.services == nil {
		f.swarm.services = map[string]*service{}
	}
	f.swarm.nextSvc++
	s := &service{Service: engine.Service{ID: fmt.Sprintf("svc%03d", f.swarm.nextSvc), Name: spec.Name, Labels: maps.Clone(spec.Labels), Replicas: spec.Replicas}, spec: spec}
	f.swarm.services[s.ID] = s
	if spec.Replicas > 0 {
		f.newTask(s)
	}
	return s.ID, nil
}

// newTask starts a new task of s on the host its constraints allow.
func (f *Fake) newTask(s *service) {
	f.swarm.nextTask++
	task := engine.Task{ID: fmt.Sprintf("task%03d", f.swarm.nextTask), ServiceID: s.ID, State: "running", DesiredState: "running"}
	task.NodeID = f.placeTask(s.spec.Constraints)
	f.nextID++
	id := fmt.Sprintf("c%03d", f.nextID)
	labels := maps.Clone(s.spec.Container.Labels)
	labels[LabelSwarmService], labels[LabelSwarmTask] = s.Name, task.ID
	n := f.networks[s.spec.Network]
	f.containers[id] = &container{
		Container: engine.Container{
			ID: id, Name: fmt.Sprintf("%s.1.%s", s.Name, task.ID), Service: labels[engine.LabelService], Image: s.spec.Container.Image,
			State: engine.StateRunning, Labels: labels, Addresses: map[string]netip.Addr{n.Name: f.overlayAddr(n)},
		},
		spec: s.spec.Container, netIDs: map[string]string{n.Name: n.ID}, node: task.NodeID,
	}
	task.ContainerID = id
	s.tasks = append([]engine.Task{task}, s.tasks...)
	f.changed(f.containers[id], false)
}

// placeTask is the node a task with constraints lands on: the one a
// node.id==X or node.hostname==X constraint names, else the first node.
func (f *Fake) placeTask(constraints []string) string {
	for _, c := range constraints {
		id, byID := strings.CutPrefix(c, "node.id==")
		h, byName := strings.CutPrefix(c, "node.hostname==")
		for _, n := range f.swarm.nodes {
			if (byID && n.ID == id) || (byName && n.Hostname == h) {
				return n.ID
			}
		}
	}
	if len(f.swarm.nodes) == 0 {
		return ""
	}
	return f.swarm.nodes[0].ID
}

// overlayAddr is a new task's address: the next one of the network's
// subnet, as the swarm's allocator hands them out.
func (f *Fake) overlayAddr(n *engine.Network) netip.Addr {
	if len(n.Subnets) == 0 {
		return netip.Addr{}
	}
	a := n.Subnets[0].Addr().Next().Next()
	for taken := true; taken; {
		taken = false
		for _, c := range f.containers {
			if c.Addresses[n.Name] == a {
				taken, a = true, a.Next()
			}
		}
	}
	return a
}

// Services lists the services carrying all of labels, sorted by name.
func (f *Fake) Services(_ context.Context, labels map[string]string) ([]engine.Service, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.manager("Services", ""); err != nil {
		return nil, err
	}
	var out []engine.Service
	for _, s := range f.swarm.services {
		if hasLabels(s.Labels, labels) {
			sv := s.Service
			sv.Labels = maps.Clone(s.Labels)
			out = append(out, sv)
		}
	}
	slices.SortFunc(out, func(a, b engine.Service) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func hasLabels(have, want map[string]string) bool {
	for k, v := range want {
		if got, ok := have[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// ServiceSpec returns the spec a service was created from.
func (f *Fake) ServiceSpec(name string) (engine.ServiceSpec, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.swarm.services {
		if s.Name == name {
			return s.spec, true
		}
	}
	return engine.ServiceSpec{}, false
}

func (f *Fake) service(method, id string) (*service, error) {
	s, ok := f.swarm.services[id]
	arg := id
	if ok {
		arg = s.Name
	}
	if err := f.manager(method, arg); err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("service %s not found: %w", id, cerrdefs.ErrNotFound)
	}
	return s, nil
}

// ScaleService to 0 shuts the task down (its container goes, as Docker
// removes the containers of tasks it scales away); to 1 starts a new one.
func (f *Fake) ScaleService(_ context.Context, id string, replicas uint64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.service("ScaleService", id)
	if err != nil {
		return err
	}
	if replicas == 0 {
		f.endTasks(s, true)
	} else if s.Replicas == 0 || !f.hasRunningTask(s) {
		f.newTask(s)
	}
	s.Replicas = replicas
	return nil
}

// RestartService shuts the current task down, keeping its container
// stopped as task history, and starts a new one.
func (f *Fake) RestartService(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.service("RestartService", id)
	if err != nil {
		return err
	}
	f.endTasks(s, false)
	if s.Replicas > 0 {
		f.newTask(s)
	}
	return nil
}

// RemoveService removes a service and its tasks' containers.
func (f *Fake) RemoveService(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.service("RemoveService", id)
	if engine.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	f.endTasks(s, true)
	delete(f.swarm.services, id)
	return nil
}

// endTasks shuts every task of s down; remove also removes the containers.
func (f *Fake) endTasks(s *service, remove bool) {
	for i := range s.tasks {
		t := &s.tasks[i]
		t.DesiredState = "shutdown"
		c, ok := f.containers[t.ContainerID]
		if !ok {
			continue
		}
		if t.State == "running" {
			t.State = "shutdown"
		}
		if remove {
			f.changed(c, true)
			delete(f.containers, t.ContainerID)
			continue
		}
		if c.State != engine.StateExited {
			c.State = engine.StateExited
			f.changed(c, false)
		}
	}
}

func (f *Fake) hasRunningTask(s *service) bool {
	for _, t := range s.tasks {
		if c, ok := f.containers[t.ContainerID]; ok && t.DesiredState == "running" && c.State != engine.StateExited {
			return true
		}
	}
	return false
}

// Tasks lists a service's tasks, newest first, with the state of each
// task's container (a killed container is a failed task).
func (f *Fake) Tasks(_ context.Context, serviceID string) ([]engine.Task, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.service("Tasks", serviceID)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(s.tasks)
	for i := range out {
		if c, ok := f.containers[out[i].ContainerID]; ok && c.State == engine.StateExited && out[i].State == "running" {
			out[i].State = "failed"
		}
	}
	return out, nil
}
