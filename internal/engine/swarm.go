package engine

import (
	"context"
	"errors"
)

// Labels docker stack gives what `docker stack deploy` makes, so `docker
// stack ps/services <lab>` see a lab sentinel-lab put on a swarm.
const (
	LabelStackNamespace = "com.docker.stack.namespace"
	LabelStackImage     = "com.docker.stack.image"
	// LabelSwarmTask is what the swarm puts on a task's container.
	LabelSwarmTask = "com.docker.swarm.task.id"
)

// The swarm states of an engine (docker info's Swarm field).
const (
	SwarmInactive = "inactive"
	SwarmActive   = "active"
)

// SwarmInfo is what the engine says of its place in a swarm.
type SwarmInfo struct {
	// State is inactive, pending, active, error or locked.
	State string
	// Manager: this engine can create services (a manager with its control
	// plane available).
	Manager bool
	// NodeID is this engine's node in the swarm.
	NodeID string
	Nodes  int
}

// SwarmNode is one host of the swarm.
type SwarmNode struct {
	ID       string
	Hostname string
	Manager  bool
	// Ready: the node is up and accepts tasks.
	Ready bool
	// Addr is the address the node is reached at in the swarm.
	Addr string
}

// ServiceSpec is everything needed to create one swarm service of a single
// task: the task's container as a lab node's container spec (its name,
// endpoints' static addresses and restart policy are the swarm's), its
// overlay network, where it may run and what it publishes.
type ServiceSpec struct {
	Name string
	// Labels are the service's own (the stack's); the task container gets
	// Container.Labels.
	Labels    map[string]string
	Container ContainerSpec
	// Network is the overlay network the task is attached to, with the
	// service name as its DNS name (endpoint mode dnsrr: no VIP).
	Network string
	// Aliases are more DNS names of the task on Network (the names the
	// nodes announce).
	Aliases []string
	// Constraints are swarm placement constraints ("node.hostname==box2").
	Constraints []string
	// Preferences spread tasks over the values of a node label
	// ("node.hostname" spreads over hosts).
	Preferences []string
	// Replicas is 1 for a node that runs, 0 for one stopped by scaling.
	Replicas uint64
	// DNSOptions are resolv.conf options of the task ("timeout:1").
	DNSOptions []string
}

// Service is a swarm service as listed.
type Service struct {
	ID       string
	Name     string
	Labels   map[string]string
	Replicas uint64
}

// Task is one task of a service: where it runs and which container it is.
type Task struct {
	ID        string
	ServiceID string
	NodeID    string
	// State is what the task is (running, failed, shutdown, ...);
	// DesiredState what the swarm wants of it.
	State        string
	DesiredState string
	ContainerID  string
	// Err is why a task failed or was rejected ("no suitable node").
	Err string
}

// Swarm is the part of an engine that runs a lab as swarm services.
type Swarm interface {
	// SwarmInfo tells whether the engine is in a swarm, and a manager.
	SwarmInfo(ctx context.Context) (SwarmInfo, error)
	// SwarmNodes lists the swarm's hosts (managers only).
	SwarmNodes(ctx context.Context) ([]SwarmNode, error)
	// CreateService creates a service and returns its id.
	CreateService(ctx context.Context, spec ServiceSpec) (string, error)
	// Services lists the services whose labels include all of labels.
	Services(ctx context.Context, labels map[string]string) ([]Service, error)
	// ScaleService sets the number of tasks of a service (0 stops it).
	ScaleService(ctx context.Context, id string, replicas uint64) error
	// RestartService replaces a service's task by a new one (a forced
	// update), which is how a swarm brings a killed task back.
	RestartService(ctx context.Context, id string) error
	// RemoveService removes a service and, with it, its tasks.
	RemoveService(ctx context.Context, id string) error
	// Tasks lists the tasks of a service, newest first.
	Tasks(ctx context.Context, serviceID string) ([]Task, error)
}

// ErrNotSwarmManager is an engine that cannot create services.
var ErrNotSwarmManager = errors.New("not a swarm manager")

// NotInSwarmError refuses a swarm lab on an engine that is not a swarm
// manager, before anything is created.
type NotInSwarmError struct {
	Info SwarmInfo
}

func (e *NotInSwarmError) Error() string {
	if e.Info.State == SwarmActive {
		return "this engine is a swarm worker, which cannot create services: run sentinel-lab against a manager (DOCKER_HOST), or `docker node promote` this node"
	}
	return "this engine is not in a swarm: run `docker swarm init` (on this machine: `docker swarm init --advertise-addr 127.0.0.1`), or use --engine docker"
}

func (e *NotInSwarmError) Unwrap() error { return ErrNotSwarmManager }

// IsUsage marks the error as the user's to fix.
func (e *NotInSwarmError) IsUsage() bool { return true }
