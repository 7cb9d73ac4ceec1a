package lab

import (
	"net"
	"strconv"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
)

// Connection is how an application on this host reaches the lab: what it
// gives its Sentinel client. The JSON keys are a contract (connect -o json).
type Connection struct {
	MasterName string `json:"master_name"`
	// Sentinels are host:port strings on this host: the published ports.
	Sentinels  []string `json:"sentinels"`
	Addressing string   `json:"addressing"`
	// PasswordFile is where the lab password is kept, "" when auth is off.
	PasswordFile string `json:"password_file"`

	// HostsLine is what this host's hosts file needs in host addressing so
	// the names the sentinels hand out resolve here; "" otherwise.
	HostsLine string `json:"-"`
	// Announced are the addresses the sentinels hand out for the data
	// nodes, by service, in node order.
	Announced []ServiceAddr `json:"-"`
}

// ServiceAddr is one node and an address of it.
type ServiceAddr struct{ Service, Addr string }

// Connection says how an application on this host reaches the lab.
func (l *Lab) Connection() Connection {
	host := l.Config.HostAddress()
	c := Connection{MasterName: l.Config.MasterName, Addressing: l.Topology.Addressing, Sentinels: []string{}}
	for _, s := range l.Topology.Sentinels() {
		c.Sentinels = append(c.Sentinels, net.JoinHostPort(host, strconv.Itoa(s.HostPort)))
	}
	if l.Config.Auth {
		c.PasswordFile = l.Dir.PasswordFile()
	}
	for _, n := range l.Topology.DataNodes() {
		c.Announced = append(c.Announced, ServiceAddr{n.Service, n.Announced()})
	}
	if l.Topology.Addressing == config.AddressingHost {
		c.HostsLine = host
		for _, n := range l.Topology.Nodes {
			c.HostsLine += " " + n.Host
		}
	}
	return c
}
