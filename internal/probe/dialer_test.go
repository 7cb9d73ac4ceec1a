package probe_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// counted is a listener that counts the connections made to it: a
// connection the dialer made is in its backlog once DialContext returns,
// so draining the backlog counts them without waiting.
type counted struct {
	ln *net.TCPListener
	n  int
}

func listen(t *testing.T, addr string) *counted {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	t.Cleanup(func() { ln.Close() })
	return &counted{ln: ln.(*net.TCPListener)}
}

// count drains the backlog and returns how many connections were made. A
// deadline already passed fails Accept without a try, so the last Accept
// gets a moment; the connections are queued already.
func (c *counted) count() int {
	c.ln.SetDeadline(time.Now().Add(50 * time.Millisecond))
	for {
		conn, err := c.ln.Accept()
		if err != nil {
			return c.n
		}
		c.n++
		conn.Close()
	}
}

func (c *counted) port() int { return c.ln.Addr().(*net.TCPAddr).Port }

// loopbackLab is a lab whose "in-network" address is 127.0.0.2, where a
// listener stands in for wherever the host would route it, and whose
// published port is another listener on 127.0.0.1.
func loopbackLab(t *testing.T) (lab *topology.Lab, inNetwork, published *counted) {
	published = listen(t, "127.0.0.1:0")
	inNetwork = listen(t, "127.0.0.2:0")
	lab = &topology.Lab{
		Name: "dial", MasterName: "m", Subnet: netip.MustParsePrefix("127.0.0.0/24"),
		Nodes: []topology.Node{{Service: "master", Role: topology.Master,
			Addr: netip.AddrPortFrom(netip.MustParseAddr("127.0.0.2"), uint16(inNetwork.port())), HostPort: published.port()}},
	}
	return lab, inNetwork, published
}

func dial(t *testing.T, d *probe.Dialer, lab *topology.Lab) error {
	t.Helper()
	conn, err := d.DialContext(context.Background(), "tcp", lab.Nodes[0].Addr.String())
	if err == nil {
		conn.Close()
	}
	return err
}

// Issue 17: with the lab network removed, status dialed the sentinels'
// in-network addresses through the default route, and the CLI's connection
// (and the password in its AUTH) left the machine. An in-network address
// is dialed only when the lab network's gateway is an address of this
// host; otherwise the published port, or an error.
func TestDialerNeverDialsAnInNetworkAddressOffTheLabBridge(t *testing.T) {
	gone := func(context.Context) (probe.Bridge, error) {
		return probe.Bridge{}, errors.New("network dial_lab does not exist")
	}
	remote := func(context.Context) (probe.Bridge, error) {
		return probe.Bridge{Name: "dial_lab", Subnet: netip.MustParsePrefix("127.0.0.0/24"), Gateway: netip.MustParseAddr("198.51.100.1")}, nil
	}
	otherSubnet := func(context.Context) (probe.Bridge, error) {
		return probe.Bridge{Name: "dial_lab", Subnet: netip.MustParsePrefix("10.9.9.0/24"), Gateway: netip.MustParseAddr("127.0.0.1")}, nil
	}
	for name, lookup := range map[string]probe.BridgeLookup{
		"not looked up": nil, "network gone": gone, "gateway not on this host": remote, "another subnet": otherSubnet,
	} {
		t.Run(name, func(t *testing.T) {
			lab, inNetwork, published := loopbackLab(t)
			d := probe.NewDialer(lab, "127.0.0.1", probe.ReachAuto)
			if lookup != nil {
				d.WithBridge(lookup)
			}
			if err := dial(t, d, lab); err != nil {
				t.Fatalf("auto: %v, want the published port", err)
			}
			if inNetwork.count() != 0 || published.count() != 1 {
				t.Errorf("auto dialed the in-network address %d times and the published port %d times; want 0 and 1",
					inNetwork.count(), published.count())
			}

			direct := probe.NewDialer(lab, "127.0.0.1", probe.ReachDirect)
			if lookup != nil {
				direct.WithBridge(lookup)
			}
			err := dial(t, direct, lab)
			if err == nil || !strings.Contains(err.Error(), "not dialing 127.0.0.2") || !strings.Contains(err.Error(), "--connect published") {
				t.Errorf("--connect direct: %v, want a refusal with the fix", err)
			}
			if inNetwork.count() != 0 {
				t.Errorf("--connect direct dialed the in-network address")
			}
		})
	}
}

func TestDialerDialsInNetworkAddressesOverTheLabBridge(t *testing.T) {
	lab, inNetwork, published := loopbackLab(t)
	// lo holds 127.0.0.1/8: the gateway is this host's, on a prefix that
	// holds the node.
	d := probe.NewDialer(lab, "127.0.0.1", probe.ReachAuto).WithBridge(func(context.Context) (probe.Bridge, error) {
		return probe.Bridge{Name: "dial_lab", Subnet: lab.Subnet, Gateway: netip.MustParseAddr("127.0.0.1")}, nil
	})
	if err := dial(t, d, lab); err != nil {
		t.Fatal(err)
	}
	if inNetwork.count() != 1 || published.count() != 0 || d.Mode() != probe.ReachDirect {
		t.Errorf("in-network %d, published %d, mode %v; want the in-network address, mode direct",
			inNetwork.count(), published.count(), d.Mode())
	}
	// An address of the subnet that is no node of the lab has no published
	// port to fall back to: it is dialed only over the bridge too.
	stray := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.2"), 1).String()
	gone := probe.NewDialer(lab, "127.0.0.1", probe.ReachAuto)
	if _, err := gone.DialContext(context.Background(), "tcp", stray); err == nil || !strings.Contains(err.Error(), "not a node of this lab") {
		t.Errorf("stray in-subnet address without a bridge: %v", err)
	}
}

// A node's announced name ("master:6379" in hostname addressing) is dialed
// the way its in-network address is: here, through its published port. The
// host never resolves the lab's names itself.
func TestDialerDialsAnnouncedNamesLikeTheirNode(t *testing.T) {
	lab, inNetwork, published := loopbackLab(t)
	lab.Nodes[0].Host = "master.nowhere.invalid"
	d := probe.NewDialer(lab, "127.0.0.1", probe.ReachPublished)
	conn, err := d.DialContext(context.Background(), "tcp", lab.Nodes[0].Announced())
	if err != nil {
		t.Fatalf("dialing %s: %v", lab.Nodes[0].Announced(), err)
	}
	conn.Close()
	if inNetwork.count() != 0 || published.count() != 1 {
		t.Errorf("dialed in-network %d times, published %d times; want 0 and 1", inNetwork.count(), published.count())
	}
}
