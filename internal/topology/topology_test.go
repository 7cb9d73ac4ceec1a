package topology

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
)

func labWith(t *testing.T, flags map[string]string, subnet string) *Lab {
	t.Helper()
	cfg, err := config.Load(config.Layers{Dir: "/labs/topo", Flags: flags, UID: 1000, GID: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return New(cfg, netip.MustParsePrefix(subnet))
}

// Every node has a fixed address and port in the lab network, whatever
// host port it is published on: data nodes from .10 and 6379, sentinels
// from .101 and 26379, as in the seed.
func TestNodes(t *testing.T) {
	type node struct {
		service  string
		role     Role
		index    int
		addr     string
		hostPort int
	}
	cases := []struct {
		name   string
		flags  map[string]string
		subnet string
		want   []node
	}{
		{
			name: "defaults", subnet: "172.28.5.0/24",
			want: []node{
				{"master", Master, 0, "172.28.5.10:6379", 6379},
				{"node-1", Replica, 1, "172.28.5.11:6380", 6380},
				{"node-2", Replica, 2, "172.28.5.12:6381", 6381},
				{"sentinel-1", Sentinel, 1, "172.28.5.101:26379", 26379},
				{"sentinel-2", Sentinel, 2, "172.28.5.102:26380", 26380},
				{"sentinel-3", Sentinel, 3, "172.28.5.103:26381", 26381},
			},
		},
		{
			name:   "other ports, counts and subnet",
			flags:  map[string]string{"replicas": "1", "sentinels": "2", "port": "7000", "sentinel-port": "17000"},
			subnet: "10.20.30.0/24",
			want: []node{
				{"master", Master, 0, "10.20.30.10:6379", 7000},
				{"node-1", Replica, 1, "10.20.30.11:6380", 7001},
				{"sentinel-1", Sentinel, 1, "10.20.30.101:26379", 17000},
				{"sentinel-2", Sentinel, 2, "10.20.30.102:26380", 17001},
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := labWith(t, c.flags, c.subnet)
			var got []node
			for _, n := range l.Nodes {
				got = append(got, node{n.Service, n.Role, n.Index, n.Addr.String(), n.HostPort})
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("nodes:\n got %v\nwant %v", got, c.want)
			}
			if l.Name != "topo" || l.MasterName != "redis-master" || l.Subnet.String() != c.subnet {
				t.Errorf("lab %s/%s on %v", l.Name, l.MasterName, l.Subnet)
			}
		})
	}
}

// The largest lab the configuration allows stays inside its /24, with
// data nodes and sentinels apart.
func TestLargestLabFitsItsSubnet(t *testing.T) {
	l := labWith(t, map[string]string{"replicas": "50", "sentinels": "50"}, "172.28.5.0/24")
	seen := map[netip.Addr]string{}
	for _, n := range l.Nodes {
		if !l.Subnet.Contains(n.Addr.Addr()) || n.Addr.Addr().As4()[3] < 2 || n.Addr.Addr().As4()[3] == 255 {
			t.Errorf("%s at %v: outside the subnet's usable hosts", n.Service, n.Addr)
		}
		if other, dup := seen[n.Addr.Addr()]; dup {
			t.Errorf("%s and %s share %v", n.Service, other, n.Addr.Addr())
		}
		seen[n.Addr.Addr()] = n.Service
	}
	if len(l.Nodes) != 101 {
		t.Errorf("%d nodes, want 101", len(l.Nodes))
	}
}

func TestSelectors(t *testing.T) {
	l := labWith(t, nil, "172.28.5.0/24")
	names := func(ns []Node) []string {
		var out []string
		for _, n := range ns {
			out = append(out, n.Service)
		}
		return out
	}
	if got := names(l.DataNodes()); !slices.Equal(got, []string{"master", "node-1", "node-2"}) {
		t.Errorf("data nodes %v", got)
	}
	if got := names(l.Sentinels()); !slices.Equal(got, []string{"sentinel-1", "sentinel-2", "sentinel-3"}) {
		t.Errorf("sentinels %v", got)
	}
	if got := l.Services(); !slices.Equal(got, []string{"master", "node-1", "node-2", "sentinel-1", "sentinel-2", "sentinel-3"}) {
		t.Errorf("services %v", got)
	}
	if m := l.InitialMaster(); m.Service != "master" || m.Role != Master {
		t.Errorf("initial master %+v", m)
	}
	if n, ok := l.Node("sentinel-2"); !ok || n.Addr.String() != "172.28.5.102:26380" || !n.IsSentinel() {
		t.Errorf("Node(sentinel-2) = %+v, %v", n, ok)
	}
	if _, ok := l.Node("node-3"); ok {
		t.Error("Node found node-3 in a lab of two replicas")
	}
	if got := l.IPPrefix(); got != "172.28.5" {
		t.Errorf("IPPrefix %q, want 172.28.5", got)
	}
}

func TestNodeAt(t *testing.T) {
	l := labWith(t, nil, "172.28.5.0/24")
	cases := []struct {
		addr, want string
	}{
		{"172.28.5.10:6379", "master"},
		{"172.28.5.12:6381", "node-2"},
		{"172.28.5.103:26381", "sentinel-3"},
		{"172.28.5.10:6380", ""},  // right host, wrong port
		{"172.28.5.11:6379", ""},  // a port of another node
		{"127.0.0.1:6379", ""},    // the published address is not the node's
		{"172.28.5.10", ""},       // no port
		{"redis-master:6379", ""}, // a name, not an address
		{"", ""},
	}
	for _, c := range cases {
		n, ok := l.NodeAt(c.addr)
		if got := map[bool]string{true: n.Service}[ok]; got != c.want {
			t.Errorf("NodeAt(%q) = %q, want %q", c.addr, got, c.want)
		}
	}
}

// Sentinels and INFO report what the nodes announce; the rest of
// sentinel-lab compares and dials in-network addresses, and InNetwork is
// where one becomes the other.
func TestAnnouncedAddressesMapToInNetworkOnes(t *testing.T) {
	subnet := netip.MustParsePrefix("172.28.5.0/24")
	cases := []struct {
		addressing, announced, inNetwork string
	}{
		{config.AddressingIP, "172.28.5.11:6380", "172.28.5.11:6380"},
		{config.AddressingHostnames, "node-1:6380", "172.28.5.11:6380"},
		{config.AddressingHost, "node-1.lab.localhost:7001", "172.28.5.11:7001"},
	}
	for _, c := range cases {
		cfg := &config.Config{Name: "lab", MasterName: "m", Replicas: 2, Sentinels: 3, Port: 7000, SentinelPort: 27000, Addressing: c.addressing}
		l := New(cfg, subnet)
		n, _ := l.Node("node-1")
		if n.Announced() != c.announced {
			t.Errorf("%s: node-1 announces %s, want %s", c.addressing, n.Announced(), c.announced)
		}
		if got := l.InNetwork(c.announced); got != c.inNetwork {
			t.Errorf("%s: InNetwork(%s) = %s, want %s", c.addressing, c.announced, got, c.inNetwork)
		}
		if l.ServiceAt(c.announced) != "node-1" || l.ServiceAt(c.inNetwork) != "node-1" {
			t.Errorf("%s: ServiceAt does not find node-1 by both addresses", c.addressing)
		}
		if got := l.InNetwork("10.1.1.1:6379"); got != "10.1.1.1:6379" {
			t.Errorf("an address of no node became %s", got)
		}
	}
}
