// Package topology says who is where in a lab: every node's service name,
// initial role, static address and ports. It is pure and derived from the
// configuration and the lab's subnet, so every other package agrees on it.
package topology

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
)

// Role is what a node was created as. After a failover the master is another
// node: ask the sentinels, not the topology, who the master is now.
type Role string

// The roles of the nodes of a lab, and what a data node says it is.
const (
	Master   Role = "master"
	Replica  Role = "replica"
	Sentinel Role = "sentinel"
	// Down is a data node that does not answer, so has no role to report.
	Down Role = "down"
)

// RoleFromInfo reads INFO's role field: "slave" is a replica.
func RoleFromInfo(role string) Role {
	if role == "slave" {
		return Replica
	}
	return Role(role)
}

// Where each node writes its log inside its container: the conf template
// names the file, the compose file mounts data/<node>/logs there.
const (
	LogDir          = "/logs"
	RedisLogFile    = LogDir + "/redis.log"
	SentinelLogFile = LogDir + "/sentinel.log"
)

// In-network ports follow the seed: data nodes listen on 6379, 6380, ... and
// sentinels on 26379, 26380, ..., whatever host ports they are published on,
// so the confs never depend on host ports and INFO reads like the seed's.
const (
	FirstDataPort     = 6379
	FirstSentinelPort = 26379
)

// Host octets inside the lab's /24: .1 is the gateway, data nodes from .10,
// sentinels from .101 (config limits keep both ranges apart).
const (
	firstDataOctet     = 10
	firstSentinelOctet = 101
)

// Node is one container of the lab.
type Node struct {
	// Service is the compose service name: master, node-1, sentinel-1, ...
	Service string
	Role    Role
	// Index is 0 for the master, i for node-i and sentinel-i.
	Index int
	// Addr is the node's static in-network address.
	Addr netip.AddrPort
	// HostPort is where the node is published on the host.
	HostPort int
	// Host is what the node calls itself to the others, and so what
	// sentinels and masters hand out: its IP in ip addressing, a name
	// otherwise (see HostName).
	Host string
}

// Announced is the host:port the sentinels and masters hand out for the node.
func (n Node) Announced() string {
	return net.JoinHostPort(n.Host, strconv.Itoa(int(n.Addr.Port())))
}

// IsSentinel tells sentinels from data nodes.
func (n Node) IsSentinel() bool { return n.Role == Sentinel }

// LogFile is the node's log file inside its container.
func (n Node) LogFile() string {
	if n.IsSentinel() {
		return SentinelLogFile
	}
	return RedisLogFile
}

// Ref names the node in reports.
func (n Node) Ref() NodeRef {
	return NodeRef{Service: n.Service, Address: n.Addr.String(), Announced: n.AnnouncedName()}
}

// AnnouncedName is the address the node announces when it is not its
// in-network one (hostname and host addressing), else "".
func (n Node) AnnouncedName() string {
	if a := n.Announced(); n.Host != "" && a != n.Addr.String() {
		return a
	}
	return ""
}

// NodeRef names a node in reports and JSON: its service and in-network
// address ("" when there is none), and beside it the address sentinels
// hand out for it when that differs ("master:6379").
type NodeRef struct {
	Service   string `json:"service"`
	Address   string `json:"address"`
	Announced string `json:"announced,omitempty"`
}

// Addresses is the in-network address and, when it differs, the announced
// one: "172.28.5.10:6379 (announced as master:6379)".
func (r NodeRef) Addresses() string {
	if r.Announced == "" {
		return r.Address
	}
	return r.Address + " (announced as " + r.Announced + ")"
}

// Lab is the full topology.
type Lab struct {
	Name       string
	MasterName string
	Subnet     netip.Prefix
	// Addressing is config.AddressingIP, AddressingHostnames or
	// AddressingHost: what the nodes announce.
	Addressing string
	// Nodes lists the master, then the replicas, then the sentinels.
	Nodes []Node
}

// New lays out the lab for cfg inside subnet (an IPv4 /24).
func New(cfg *config.Config, subnet netip.Prefix) *Lab {
	l := &Lab{Name: cfg.Name, MasterName: cfg.MasterName, Subnet: subnet, Addressing: cfg.Addressing}
	if l.Addressing == "" {
		l.Addressing = config.AddressingIP
	}
	add := func(service string, role Role, index, octet, port, hostPort int) {
		if l.Addressing == config.AddressingHost {
			// A name resolves to 127.0.0.1 on the host and to the node
			// inside the lab: one port must work on both sides.
			port = hostPort
		}
		ip := hostAddr(subnet, octet)
		l.Nodes = append(l.Nodes, Node{
			Service:  service,
			Role:     role,
			Index:    index,
			Addr:     netip.AddrPortFrom(ip, uint16(port)),
			HostPort: hostPort,
			Host:     HostName(l.Addressing, l.Name, service, ip),
		})
	}
	add("master", Master, 0, firstDataOctet, FirstDataPort, cfg.Port)
	for i := 1; i <= cfg.Replicas; i++ {
		add("node-"+strconv.Itoa(i), Replica, i, firstDataOctet+i, FirstDataPort+i, cfg.Port+i)
	}
	for j := 1; j <= cfg.Sentinels; j++ {
		add("sentinel-"+strconv.Itoa(j), Sentinel, j, firstSentinelOctet+j-1, FirstSentinelPort+j-1, cfg.SentinelPort+j-1)
	}
	return l
}

// HostName is what a node announces under an addressing mode: its IP, its
// service name (which the lab network and every node's hosts file
// resolve), or in host addressing <service>.<lab>.localhost, a name
// under the TLD reserved for loopback (RFC 6761) that the host resolves to
// the published ports' address with one hosts-file line and the nodes'
// hosts files resolve to the node.
func HostName(addressing, lab, service string, ip netip.Addr) string {
	switch addressing {
	case config.AddressingHostnames:
		return service
	case config.AddressingHost:
		return service + "." + lab + ".localhost"
	}
	return ip.String()
}

// NamesNodes tells whether the nodes announce names rather than IPs, so
// sentinels must resolve them and every node needs them in its hosts file.
func (l *Lab) NamesNodes() bool { return l.Addressing != config.AddressingIP && l.Addressing != "" }

func hostAddr(subnet netip.Prefix, octet int) netip.Addr {
	b := subnet.Addr().As4()
	b[3] = byte(octet)
	return netip.AddrFrom4(b)
}

// IPPrefix is the first three octets of the subnet, "172.28.5", which the
// compose file completes with each node's octet.
func (l *Lab) IPPrefix() string {
	b := l.Subnet.Addr().As4()
	return fmt.Sprintf("%d.%d.%d", b[0], b[1], b[2])
}

// DataNodes are the master and the replicas, as created.
func (l *Lab) DataNodes() []Node { return l.filter(false) }

// Sentinels are the sentinel nodes.
func (l *Lab) Sentinels() []Node { return l.filter(true) }

func (l *Lab) filter(sentinels bool) []Node {
	var out []Node
	for _, n := range l.Nodes {
		if n.IsSentinel() == sentinels {
			out = append(out, n)
		}
	}
	return out
}

// InitialMaster is the node created as master.
func (l *Lab) InitialMaster() Node { return l.Nodes[0] }

// Node finds a node by service name.
func (l *Lab) Node(service string) (Node, bool) {
	for _, n := range l.Nodes {
		if n.Service == service {
			return n, true
		}
	}
	return Node{}, false
}

// NodeAt finds the node with an in-network address ("172.28.5.11:6380")
// or the address it announces ("node-1:6380"), as sentinels and INFO
// report them.
func (l *Lab) NodeAt(addr string) (Node, bool) {
	ap, err := netip.ParseAddrPort(addr)
	for _, n := range l.Nodes {
		if (err == nil && n.Addr == ap) || n.Announced() == addr {
			return n, true
		}
	}
	return Node{}, false
}

// InNetwork turns an address a sentinel or INFO reported into the node's
// in-network address, which the rest of sentinel-lab compares and dials;
// an address of no node is returned as it is.
func (l *Lab) InNetwork(addr string) string {
	if n, ok := l.NodeAt(addr); ok {
		return n.Addr.String()
	}
	return addr
}

// ServiceAt names the node at an in-network address, "" when no node of
// the lab is there.
func (l *Lab) ServiceAt(addr string) string {
	if n, ok := l.NodeAt(addr); ok {
		return n.Service
	}
	return ""
}

// Majority is how many of the lab's sentinels elect a failover leader.
func (l *Lab) Majority() int { return config.Majority(len(l.Sentinels())) }

// Services lists every service name, in node order.
func (l *Lab) Services() []string {
	out := make([]string, len(l.Nodes))
	for i, n := range l.Nodes {
		out[i] = n.Service
	}
	return out
}
