package config

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Limits that keep a lab inside one /24 and inside the port range.
const (
	MaxReplicas  = 50
	MaxSentinels = 50
)

var (
	validName       = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	validMasterName = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	validUser       = regexp.MustCompile(`^[0-9]+:[0-9]+$`)
)

// validate returns one message per bad value, each naming the value, where it
// came from, and the fix.
func validate(c *Config) []string {
	var p []string
	bad := func(key, format string, args ...any) {
		p = append(p, fmt.Sprintf("%s (%s)", fmt.Sprintf(format, args...), c.Sources[key]))
	}

	if !validName.MatchString(c.Name) {
		bad("name", "lab name %q is not a compose project name (lowercase letters, digits, - and _, starting with a letter or digit); use --name %s",
			c.Name, suggestName(c.Name))
	}
	if !validMasterName.MatchString(c.MasterName) {
		bad("master-name", "master name %q has characters sentinel does not accept (only A-Z a-z 0-9 . - _); use --master-name %s",
			c.MasterName, suggestMasterName(c.MasterName))
	}
	if c.Replicas < 1 {
		bad("replicas", "replicas %d: a failover needs at least one replica to promote; use --replicas 1 or more", c.Replicas)
	} else if c.Replicas > MaxReplicas {
		bad("replicas", "replicas %d is more than this lab supports; use --replicas %d or fewer", c.Replicas, MaxReplicas)
	}
	if c.Sentinels < 1 {
		bad("sentinels", "sentinels %d: a lab needs at least one sentinel; use --sentinels 3", c.Sentinels)
	} else if c.Sentinels > MaxSentinels {
		bad("sentinels", "sentinels %d is more than this lab supports; use --sentinels %d or fewer", c.Sentinels, MaxSentinels)
	}
	if c.Sentinels >= 1 {
		majority := Majority(c.Sentinels)
		if c.Quorum > c.Sentinels {
			bad("quorum", "quorum %d is larger than the %d sentinels; use --quorum %d or --sentinels %d",
				c.Quorum, c.Sentinels, majority, c.Quorum)
		} else if c.Quorum < 1 {
			bad("quorum", "quorum %d: at least one sentinel must agree the master is down; use --quorum %d", c.Quorum, majority)
		}
	}
	if c.DownAfter < 100*time.Millisecond {
		bad("down-after", "down-after %s is below 100ms, where sentinels flag healthy nodes as down; use --down-after 1000 or more",
			FormatDuration(c.DownAfter))
	}
	if c.FailoverTimeout <= c.DownAfter {
		bad("failover-timeout", "failover-timeout %s must be longer than down-after %s; use --failover-timeout %s",
			FormatDuration(c.FailoverTimeout), FormatDuration(c.DownAfter), FormatDuration(max(c.DownAfter*3, DefaultFailoverTimeout)))
	}
	if c.ParallelSyncs < 1 {
		bad("parallel-syncs", "parallel-syncs %d: at least one replica must resync at a time; use --parallel-syncs 1", c.ParallelSyncs)
	}
	if strings.TrimSpace(c.Image) == "" {
		bad("image", "image is empty; use --image %s (or any Redis >= 6.2 or Valkey image)", DefaultImage)
	}
	p = append(p, validatePorts(c)...)
	if _, err := netip.ParseAddr(c.Bind); err != nil {
		bad("bind", "bind %q is not an IP address; use --bind 127.0.0.1 (or 0.0.0.0 to listen on every interface)", c.Bind)
	}
	if !slices.Contains(AddressingModes, c.Addressing) {
		bad("addressing", "addressing %q is not one of %s; use --addressing ip (in-network addresses), hostnames or host (what an application on this host connects to)",
			c.Addressing, strings.Join(AddressingModes, ", "))
	}
	if c.Subnet != SubnetAuto {
		if _, err := ParseSubnet(c.Subnet); err != nil {
			bad("subnet", "subnet %q: %v; use --subnet 172.28.5.0/24 or --subnet auto", c.Subnet, err)
		}
	}
	if !validUser.MatchString(c.User) {
		bad("user", "user %q is not uid:gid; use --user 1000:1000", c.User)
	}
	if p := PasswordProblem(c.Password); p != "" {
		bad("password", "%s", p)
	}
	if c.MinReplicasToWrite < 0 || c.MinReplicasToWrite > c.Replicas {
		bad("min-replicas-to-write", "min-replicas-to-write %d must be between 0 and the %d replicas; use --min-replicas-to-write 1",
			c.MinReplicasToWrite, c.Replicas)
	}
	if c.MinReplicasMaxLag < time.Second || c.MinReplicasMaxLag%time.Second != 0 {
		bad("min-replicas-max-lag", "min-replicas-max-lag %s must be whole seconds, at least 1s; use --min-replicas-max-lag 10s",
			FormatDuration(c.MinReplicasMaxLag))
	}
	p = append(p, validateSwarm(c)...)
	return p
}

// validateHostBind refuses host addressing on a bind address this host does
// not have: the nodes would hand out addresses nothing listens on. Only a
// new configuration is checked (a saved one was checked when rendered).
func validateHostBind(c *Config, hasAddr func(netip.Addr) bool) []string {
	if c.Addressing != AddressingHost || hasAddr == nil {
		return nil
	}
	bind, err := netip.ParseAddr(c.Bind)
	if err != nil || bind.IsUnspecified() || bind.IsLoopback() || hasAddr(bind) {
		return nil // a bad address is validate's to name
	}
	return []string{fmt.Sprintf("bind %s is not an address of this host, so with addressing host the nodes would hand out an address nothing listens on; use --bind 127.0.0.1 (this host only) or one of this host's addresses (%s)",
		c.Bind, c.Sources["bind"])}
}

// PasswordProblem is the one rule a lab password obeys, wherever it comes
// from (sentinel-lab.yaml, SENTINEL_LAB_PASSWORD, .sentinel-lab/password):
// it goes between double quotes into redis.conf and sentinel.conf lines
// (requirepass, masterauth, auth-pass), where a quote, backslash or line
// break would end the value and add directives of its own. Spaces, other
// control and non-ASCII characters are refused too, so redis-cli and
// shells take it as typed. It returns "" for a good password, else the
// message that refuses it.
func PasswordProblem(pw string) string {
	for _, r := range pw {
		if r <= ' ' || r >= 0x7f || r == '"' || r == '\'' || r == '\\' {
			return "the password contains a space, quote, backslash, control or non-ASCII character, which redis.conf cannot hold safely; choose one of printable ASCII letters, digits and punctuation without them"
		}
	}
	return ""
}

// validatePorts checks that every published port is in range and that the
// data nodes' ports do not run into the sentinels'.
func validatePorts(c *Config) []string {
	var p []string
	if c.PortAuto {
		if k := c.Sources["sentinel-port"].Kind; k != FromDefault && k != FromLab {
			p = append(p, fmt.Sprintf("sentinel-port %d cannot be combined with port auto, which chooses both; drop one (%s)",
				c.SentinelPort, c.Sources["sentinel-port"]))
		}
		return p
	}
	dataLast := c.Port + max(c.Replicas, 0)
	sentLast := c.SentinelPort + max(c.Sentinels, 1) - 1
	inRange := true
	if c.Port < 1 || dataLast > 65535 {
		inRange = false
		p = append(p, fmt.Sprintf("port %d puts the data nodes at %d-%d, outside 1-65535; use --port 6379 (%s)",
			c.Port, c.Port, dataLast, c.Sources["port"]))
	}
	derived := c.Sources["sentinel-port"].Kind == FromDefault
	if (c.SentinelPort < 1 || sentLast > 65535) && (inRange || !derived) {
		inRange = false
		p = append(p, fmt.Sprintf("sentinel-port %d puts the sentinels at %d-%d, outside 1-65535; use --sentinel-port 26379 (%s)",
			c.SentinelPort, c.SentinelPort, sentLast, c.Sources["sentinel-port"]))
	}
	if inRange && c.Port <= sentLast && c.SentinelPort <= dataLast {
		p = append(p, fmt.Sprintf("ports collide: data nodes use %d-%d and sentinels %d-%d; use --sentinel-port %d",
			c.Port, dataLast, c.SentinelPort, sentLast, c.Port+SentinelPortOffset))
	}
	return p
}

// SetPorts fixes automatic ports once they are chosen, checking them as
// if the user had given them.
func (c *Config) SetPorts(port, sentinelPort int) error {
	c.Port, c.SentinelPort = port, sentinelPort
	if p := validatePorts(&Config{Port: port, SentinelPort: sentinelPort, Replicas: c.Replicas, Sentinels: c.Sentinels, Sources: c.Sources}); len(p) > 0 {
		return &Error{Problems: p}
	}
	return nil
}

// ParseSubnet accepts an IPv4 /24 and returns it masked.
func ParseSubnet(s string) (netip.Prefix, error) {
	pfx, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("not a CIDR subnet")
	}
	if !pfx.Addr().Is4() || pfx.Bits() != 24 {
		return netip.Prefix{}, fmt.Errorf("the lab needs an IPv4 /24")
	}
	if pfx.Masked() != pfx {
		return netip.Prefix{}, fmt.Errorf("host bits are set (did you mean %s?)", pfx.Masked())
	}
	return pfx, nil
}

func suggestName(name string) string {
	s := NameFromDir(name)
	if s == "" {
		return "my-lab"
	}
	return s
}

func suggestMasterName(name string) string {
	s := strings.Trim(regexp.MustCompile(`[^A-Za-z0-9._-]+`).ReplaceAllString(name, "-"), "-")
	if s == "" {
		return DefaultMasterName
	}
	return s
}

// UID and GID split User.
func (c *Config) UIDGID() (uid, gid int) {
	u, g, _ := strings.Cut(c.User, ":")
	uid, _ = strconv.Atoi(u)
	gid, _ = strconv.Atoi(g)
	return uid, gid
}
