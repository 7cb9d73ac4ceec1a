// Package engine is the lab's view of a container engine: the few
// operations sentinel-lab needs, in its own types, so orchestration is
// tested against a fake and runs against Docker through the Engine API.
package engine

import (
	"context"
	"io"
	"net/netip"
	"time"
)

// Labels that tie containers and networks to a lab. The compose labels make
// `docker compose -p <lab> ps/logs/down` see a lab sentinel-lab started;
// every list, kill and remove filters on them, never on names.
const (
	LabelProject     = "com.docker.compose.project"
	LabelService     = "com.docker.compose.service"
	LabelNumber      = "com.docker.compose.container-number"
	LabelOneoff      = "com.docker.compose.oneoff"
	LabelConfigFiles = "com.docker.compose.project.config_files"
	LabelWorkingDir  = "com.docker.compose.project.working_dir"
	LabelNetwork     = "com.docker.compose.network"
	// LabelRole is set in the compose file: master, replica or sentinel.
	LabelRole = "sentinel-lab.role"
	// LabelSpecHash is the hash of the spec a container was created from,
	// so `up` recreates only containers whose spec changed.
	LabelSpecHash = "sentinel-lab.spec-hash"
	// LabelHelper marks a short-lived helper container (a packet filter
	// set in a node's network namespace, a look at an image's server) with
	// the lab it works for. It carries no compose labels, so compose and
	// the lab's service list never see it; `down` removes any left behind.
	LabelHelper = "sentinel-lab.helper"
)

// Container states as the engine reports them.
const (
	StateRunning = "running"
	StatePaused  = "paused"
	StateExited  = "exited"
	StateCreated = "created"
	// StateMissing: the lab has a node with no container at all.
	StateMissing = "missing"
)

// Mount binds a host folder into a container.
type Mount struct {
	Source   string
	Target   string
	ReadOnly bool
}

// Port publishes a container port on the host.
type Port struct {
	HostIP        string
	HostPort      uint16
	ContainerPort uint16
	Protocol      string // "tcp" or "udp"
}

// Endpoint attaches a container to a network.
type Endpoint struct {
	Network string
	// IPv4 is the static address, or invalid for one the engine picks.
	IPv4    netip.Addr
	Aliases []string
}

// ContainerSpec is everything needed to create one container.
type ContainerSpec struct {
	Name       string
	Image      string
	Entrypoint []string
	Cmd        []string
	Env        []string
	User       string
	WorkingDir string
	Hostname   string
	Labels     map[string]string
	Mounts     []Mount
	Tmpfs      map[string]string
	Ports      []Port
	Endpoints  []Endpoint
	// ExtraHosts are hosts-file lines, "name:ip". Left out of the JSON
	// when empty, so the spec hash of labs made before it stays the same.
	ExtraHosts []string `json:",omitempty"`
	// NetworkMode, when set, replaces the endpoints: "container:<id>"
	// shares that container's network namespace (a helper setting packet
	// filter rules for it), "none" gives no network at all.
	NetworkMode string
	ReadOnly    bool
	CapAdd      []string
	CapDrop     []string
	SecurityOpt []string
	Restart     string
	StopSignal  string
	StopTimeout *time.Duration
	Init        *bool
}

// Container is a container as listed.
type Container struct {
	ID      string
	Name    string
	Service string
	Image   string
	// State is running, paused, exited, created, ...
	State  string
	Labels map[string]string
	// Addresses maps each network the container is on to its IPv4 address.
	Addresses map[string]netip.Addr
}

// Network is a network as listed.
type Network struct {
	ID      string
	Name    string
	Subnets []netip.Prefix
	// Gateway is the host's address on the network (of its first subnet),
	// invalid when it has none.
	Gateway netip.Addr
	Labels  map[string]string
	// Overlay: a network of the swarm (driver overlay), not a bridge.
	Overlay bool
}

// NetworkSpec is everything needed to create the lab network.
type NetworkSpec struct {
	Name   string
	Subnet netip.Prefix
	Labels map[string]string
	// Overlay makes an attachable overlay network of the swarm instead of
	// a bridge: what a lab on a swarm runs on.
	Overlay bool
}

// Engine runs containers. Every method returns errors that say what failed
// in words a lab user understands.
type Engine interface {
	// Ping checks that the engine answers and returns its description.
	Ping(ctx context.Context) (string, error)

	// ImageExists tells whether ref is present locally.
	ImageExists(ctx context.Context, ref string) (bool, error)
	// PullImage pulls ref, writing progress lines to progress.
	PullImage(ctx context.Context, ref string, progress io.Writer) error
	// BuildImage builds an image tagged tag from a tar build context.
	BuildImage(ctx context.Context, tag string, buildContext io.Reader, progress io.Writer) error

	// Networks lists every network on the engine.
	Networks(ctx context.Context) ([]Network, error)
	// CreateNetwork creates a bridge network.
	CreateNetwork(ctx context.Context, spec NetworkSpec) error
	// RemoveNetwork removes a network by name or id.
	RemoveNetwork(ctx context.Context, name string) error
	// Connect attaches a container to a network.
	Connect(ctx context.Context, containerID string, ep Endpoint) error
	// Disconnect detaches a container from a network.
	Disconnect(ctx context.Context, containerID, network string) error

	// Containers lists the containers, in any state, whose labels include
	// all of labels.
	Containers(ctx context.Context, labels map[string]string) ([]Container, error)
	// CreateContainer creates a container and returns its id.
	CreateContainer(ctx context.Context, spec ContainerSpec) (string, error)
	// Start starts a created or stopped container.
	Start(ctx context.Context, id string) error
	// Kill sends a signal ("SIGKILL", "SIGTERM", ...).
	Kill(ctx context.Context, id, signal string) error
	// Stop stops a container gracefully, killing it after timeout.
	Stop(ctx context.Context, id string, timeout time.Duration) error
	// Pause freezes every process of a container.
	Pause(ctx context.Context, id string) error
	// Unpause thaws a paused container.
	Unpause(ctx context.Context, id string) error
	// Wait waits until a container is not running and returns its exit
	// code.
	Wait(ctx context.Context, id string) (int, error)
	// Remove removes a container, stopping it first.
	Remove(ctx context.Context, id string) error
	// Logs returns the last lines of the container's output.
	Logs(ctx context.Context, id string, tail int) (string, error)
	// ReadFile reads a file from a container's filesystem (running or not).
	ReadFile(ctx context.Context, id, path string) ([]byte, error)

	// The inspection side: what logs, cli and export read.
	Inspector
	// The swarm side: a lab run as services (--engine swarm).
	Swarm
}
