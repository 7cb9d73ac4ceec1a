package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/timers"
)

// Kind is the type of a configuration value, as shown in help and errors.
type Kind string

// The kinds of values a key can hold.
const (
	KindString   Kind = "string"
	KindInt      Kind = "int"
	KindDuration Kind = "duration"
	KindBool     Kind = "bool"
)

// Field describes one configuration key in every layer it can be set in.
type Field struct {
	// Key is the name in sentinel-lab.yaml and in `sentinel-lab config`.
	Key string
	// Flag is the command-line flag, without dashes; empty when the key has
	// no flag (the password: flags end up in shell history).
	Flag string
	// FlagNegates means the flag sets the key to false (--no-auth).
	FlagNegates bool
	Kind        Kind
	Usage       string
	// Secret values are masked when printed.
	Secret bool
	// Choices are the only values the key takes, for shell completion;
	// nil for any.
	Choices []string

	set func(c *Config, raw string) error
	get func(c *Config) string
}

// Env is the environment variable that sets this key.
func (f *Field) Env() string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(f.Key, "-", "_"))
}

// Value is the key's value in c, formatted as it would be written in
// sentinel-lab.yaml.
func (f *Field) Value(c *Config) string { return f.get(c) }

// Fields lists every configuration key, in the order they are shown.
func Fields() []*Field { return fields }

// FieldByKey finds a key's Field, or nil.
func FieldByKey(key string) *Field {
	for _, f := range fields {
		if f.Key == key {
			return f
		}
	}
	return nil
}

var fields = []*Field{
	stringField("name", "name", "lab name, also the compose project name (default: the lab directory's name)",
		func(c *Config) *string { return &c.Name }),
	stringField("master-name", "master-name", "name the sentinels monitor the master under",
		func(c *Config) *string { return &c.MasterName }),
	intField("replicas", "replicas", "number of replicas of the master",
		func(c *Config) *int { return &c.Replicas }),
	intField("sentinels", "sentinels", "number of sentinels",
		func(c *Config) *int { return &c.Sentinels }),
	intField("quorum", "quorum", "sentinels that must agree the master is down (default: a majority)",
		func(c *Config) *int { return &c.Quorum }),
	durationField("down-after", "down-after", "sentinel down-after-milliseconds (1000 or 1s)",
		func(c *Config) *time.Duration { return &c.DownAfter }),
	durationField("failover-timeout", "failover-timeout", "sentinel failover-timeout",
		func(c *Config) *time.Duration { return &c.FailoverTimeout }),
	intField("parallel-syncs", "parallel-syncs", "replicas resynchronised at once after a failover",
		func(c *Config) *int { return &c.ParallelSyncs }),
	stringField("image", "image", "Redis (>= 6.2) or Valkey image every node runs",
		func(c *Config) *string { return &c.Image }),
	{
		Key: "port", Flag: "port", Kind: KindInt,
		Usage: `host port of the master; replica i is published at port+i ("auto": free ports, so labs run side by side)`,
		set: func(c *Config, raw string) error {
			if strings.TrimSpace(raw) == PortAuto {
				c.PortAuto, c.Port = true, 0
				return nil
			}
			v, err := strconv.Atoi(strings.TrimSpace(raw))
			if err != nil {
				return fmt.Errorf("%q is not a port number or auto", raw)
			}
			c.PortAuto, c.Port = false, v
			return nil
		},
		get: func(c *Config) string {
			if c.PortAuto {
				return PortAuto
			}
			return strconv.Itoa(c.Port)
		},
	},
	intField("sentinel-port", "sentinel-port", "host port of sentinel-1, the others follow (default: port+20000)",
		func(c *Config) *int { return &c.SentinelPort }),
	stringField("bind", "bind", "host address the published ports listen on",
		func(c *Config) *string { return &c.Bind }),
	withChoices(stringField("addressing", "addressing", `what sentinels and masters hand out: "ip" (in-network addresses), "hostnames" (node names) or "host" (addresses an application on the host connects to)`,
		func(c *Config) *string { return &c.Addressing }), AddressingModes),
	stringField("subnet", "subnet", `lab network, an IPv4 /24 such as 172.28.5.0/24, or "auto"`,
		func(c *Config) *string { return &c.Subnet }),
	stringField("user", "user", "uid:gid the containers run as (default: yours)",
		func(c *Config) *string { return &c.User }),
	{
		Key: "auth", Flag: "no-auth", FlagNegates: true, Kind: KindBool,
		Usage: "turn password authentication off (the seed's open lab)",
		set: func(c *Config, raw string) error {
			v, err := strconv.ParseBool(raw)
			if err != nil {
				return fmt.Errorf("%q is not true or false", raw)
			}
			c.Auth = v
			return nil
		},
		get: func(c *Config) string { return strconv.FormatBool(c.Auth) },
	},
	{
		Key: "password", Kind: KindString, Secret: true,
		Usage: "lab password (default: generated once and kept in .sentinel-lab/password)",
		set:   func(c *Config, raw string) error { c.Password = raw; return nil },
		get:   func(c *Config) string { return c.Password },
	},
	intField("min-replicas-to-write", "min-replicas-to-write", "Redis min-replicas-to-write (0: off)",
		func(c *Config) *int { return &c.MinReplicasToWrite }),
	durationField("min-replicas-max-lag", "min-replicas-max-lag", "Redis min-replicas-max-lag (whole seconds)",
		func(c *Config) *time.Duration { return &c.MinReplicasMaxLag }),
	stringField("engine", "engine", `where the lab runs: "docker" (containers on this engine) or "swarm" (one service per node on this engine's swarm)`,
		func(c *Config) *string { return &c.Engine }),
	stringField("placement", "placement", `swarm: "spread" (no two sentinels, nor the master with a replica, on one host while there are hosts), "any", or SERVICE=CONSTRAINT,... (e.g. master=node.hostname==box1)`,
		func(c *Config) *string { return &c.Placement }),
	stringField("node-hosts", "node-host", "swarm: the engine endpoint of a swarm host, HOST=URL,... (ssh:// or tcp://), for the faults that act on a container of another host",
		func(c *Config) *string { return &c.NodeHosts }),
	{
		Key: "timers", Flag: "timers", Kind: KindString,
		Usage: `sentinel periods: "normal" (Sentinel's own) or "fast" (shorter, set with SENTINEL DEBUG; Redis >= 7.0 or Valkey)`,
		set: func(c *Config, raw string) error {
			m, err := timers.Parse(raw)
			if err != nil {
				return err
			}
			c.Timers = m
			return nil
		},
		get: func(c *Config) string { return string(c.Timers) },
	},
}

func withChoices(f *Field, choices []string) *Field {
	f.Choices = choices
	return f
}

func stringField(key, flag, usage string, ptr func(*Config) *string) *Field {
	return &Field{
		Key: key, Flag: flag, Kind: KindString, Usage: usage,
		set: func(c *Config, raw string) error { *ptr(c) = raw; return nil },
		get: func(c *Config) string { return *ptr(c) },
	}
}

func intField(key, flag, usage string, ptr func(*Config) *int) *Field {
	return &Field{
		Key: key, Flag: flag, Kind: KindInt, Usage: usage,
		set: func(c *Config, raw string) error {
			v, err := strconv.Atoi(strings.TrimSpace(raw))
			if err != nil {
				return fmt.Errorf("%q is not a whole number", raw)
			}
			*ptr(c) = v
			return nil
		},
		get: func(c *Config) string { return strconv.Itoa(*ptr(c)) },
	}
}

func durationField(key, flag, usage string, ptr func(*Config) *time.Duration) *Field {
	return &Field{
		Key: key, Flag: flag, Kind: KindDuration, Usage: usage,
		set: func(c *Config, raw string) error {
			d, err := ParseDuration(raw)
			if err != nil {
				return err
			}
			*ptr(c) = d
			return nil
		},
		get: func(c *Config) string { return FormatDuration(*ptr(c)) },
	}
}

// ParseDuration reads a duration the way sentinel.conf users write it: a
// bare number is milliseconds ("1000"), anything else is Go syntax ("1s").
func ParseDuration(raw string) (time.Duration, error) {
	s := strings.TrimSpace(raw)
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Duration(ms) * time.Millisecond, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (write 1000 for milliseconds, or 1s)", raw)
	}
	return d, nil
}

// FormatDuration prints a duration so ParseDuration reads it back.
func FormatDuration(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return fmt.Sprintf("%dms", d.Milliseconds())
}
