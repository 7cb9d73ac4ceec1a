// Package config turns the layers a user can set (embedded defaults,
// sentinel-lab.yaml in the lab directory, SENTINEL_LAB_* environment
// variables, command-line flags) into one validated lab Config, and remembers
// where each value came from.
package config

import (
	"fmt"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/timers"
)

// FileName is the optional configuration file in the lab directory.
const FileName = "sentinel-lab.yaml"

// EnvPrefix starts every environment variable the configuration reads.
const EnvPrefix = "SENTINEL_LAB_"

// Config is the effective, validated configuration of one lab.
type Config struct {
	// Name is the lab name, also the compose project name.
	Name string
	// MasterName is the name sentinels monitor the master under.
	MasterName string
	// Replicas is the number of data nodes besides the master.
	Replicas int
	// Sentinels is the number of sentinels.
	Sentinels int
	// Quorum is how many sentinels must agree the master is down.
	Quorum int
	// DownAfter is sentinel's down-after-milliseconds.
	DownAfter time.Duration
	// FailoverTimeout is sentinel's failover-timeout.
	FailoverTimeout time.Duration
	// ParallelSyncs is how many replicas resync at once after a failover.
	ParallelSyncs int
	// Image is the Redis (>= 6.2) or Valkey image every node runs.
	Image string
	// Port is the host port of the master; replica i is published at Port+i.
	Port int
	// PortAuto: Port (and SentinelPort unless set) are chosen free when
	// the lab is first rendered, then kept.
	PortAuto bool
	// SentinelPort is the host port of sentinel-1; sentinel j at SentinelPort+j-1.
	SentinelPort int
	// Bind is the host address published ports listen on.
	Bind string
	// Addressing is how nodes name themselves and each other to clients:
	// AddressingIP, AddressingHostnames or AddressingHost.
	Addressing string
	// Subnet is the lab network, an IPv4 /24, or "auto" to pick a free one.
	Subnet string
	// User is the uid:gid containers run as, so files under data/ stay the user's.
	User string
	// Auth turns on password authentication for every node and sentinel.
	Auth bool
	// Password is the lab password; empty means generate one and keep it
	// with the lab.
	Password string
	// MinReplicasToWrite is Redis' min-replicas-to-write (0: off).
	MinReplicasToWrite int
	// MinReplicasMaxLag is Redis' min-replicas-max-lag.
	MinReplicasMaxLag time.Duration
	// Engine is where the lab runs: EngineDocker (containers) or
	// EngineSwarm (one service per node on the engine's swarm).
	Engine string
	// Placement says where a swarm lab's nodes run: PlacementSpread,
	// PlacementAny or per-service constraints (see ParsePlacement).
	Placement string
	// NodeHosts are the engine endpoints of the swarm's hosts, by swarm
	// node hostname ("box2=ssh://me@box2,box3=tcp://box3:2376").
	NodeHosts string
	// Timers are the periods the sentinels run with: normal (Sentinel's
	// own) or fast (set with SENTINEL DEBUG once each sentinel answers).
	Timers timers.Mode

	// Sources says, for every key, where its value came from.
	Sources map[string]Source
}

// PortAuto is the port value that asks for free ports.
const PortAuto = "auto"

// The addressing modes: what the sentinels and masters hand out.
const (
	// AddressingIP: the nodes' static in-network addresses.
	AddressingIP = "ip"
	// AddressingHostnames: the nodes' names on the lab network.
	AddressingHostnames = "hostnames"
	// AddressingHost: names and ports an application on the host reaches
	// through the published ports, which the containers reach too.
	AddressingHost = "host"
)

// AddressingModes lists the modes, as shown in help and errors.
var AddressingModes = []string{AddressingIP, AddressingHostnames, AddressingHost}

// SubnetAuto asks for a free subnet to be chosen when the lab is first rendered.
const SubnetAuto = "auto"

// SourceKind is the layer a value came from.
type SourceKind int

// The layers, lowest precedence first.
const (
	FromDefault SourceKind = iota
	// FromRemembered: a flag given to an earlier render or up of this lab.
	FromRemembered
	// FromLab: the configuration the lab was last rendered with.
	FromLab
	FromFile
	FromEnv
	FromFlag
)

// Source is where one configuration value came from.
type Source struct {
	Kind SourceKind
	// Detail names the place: "sentinel-lab.yaml:3", "SENTINEL_LAB_REPLICAS",
	// "--replicas", or why a default is what it is.
	Detail string
}

func (s Source) String() string {
	switch s.Kind {
	case FromRemembered:
		return "flag " + s.Detail + " (remembered)"
	case FromLab:
		return "lab state"
	case FromFile:
		return s.Detail
	case FromEnv:
		return "env " + s.Detail
	case FromFlag:
		return "flag " + s.Detail
	}
	if s.Detail != "" {
		return "default (" + s.Detail + ")"
	}
	return "default"
}

// Majority is how many of n sentinels it takes to elect a failover leader,
// and the default quorum.
func Majority(n int) int { return n/2 + 1 }

// DownAfterMS is down-after-milliseconds as sentinel.conf wants it.
func (c *Config) DownAfterMS() int64 { return c.DownAfter.Milliseconds() }

// FailoverTimeoutMS is failover-timeout as sentinel.conf wants it.
func (c *Config) FailoverTimeoutMS() int64 { return c.FailoverTimeout.Milliseconds() }

// Describe is a one-line summary of the topology.
func (c *Config) Describe() string {
	return fmt.Sprintf("lab %q: 1 master, %d replicas, %d sentinels (quorum %d, down-after %dms)",
		c.Name, c.Replicas, c.Sentinels, c.Quorum, c.DownAfterMS())
}

// HostAddress is the address of this host the published ports are reached
// at: the bind address, or loopback when they listen on every interface.
func (c *Config) HostAddress() string { return HostAddress(c.Bind) }

// HostAddress is Config.HostAddress for a bind address alone.
func HostAddress(bind string) string {
	if bind == "" || bind == "0.0.0.0" || bind == "::" {
		return "127.0.0.1"
	}
	return bind
}
