package probe

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// Reach is how the CLI reaches the lab's nodes.
type Reach int32

// The ways to reach a node.
const (
	// ReachAuto tries the in-network address first and falls back to the
	// published port, then sticks to whichever answered.
	ReachAuto Reach = iota
	// ReachDirect dials in-network addresses (Linux: the host routes to
	// the bridge).
	ReachDirect
	// ReachPublished maps in-network addresses to published host ports
	// (Docker Desktop: the host cannot route to the bridge).
	ReachPublished
)

// Dialer is the one way every Redis connection of the CLI is made. Sentinels
// and INFO report in-network addresses; the Dialer turns those into
// something the host can reach.
type Dialer struct {
	published map[netip.AddrPort]string
	mode      atomic.Int32
	// probeTimeout bounds the direct attempt while the mode is not known.
	probeTimeout time.Duration
}

// NewDialer maps each node's in-network address to its published port on
// bindHost (127.0.0.1 when the lab binds every interface).
func NewDialer(lab *topology.Lab, bind string, reach Reach) *Dialer {
	host := bind
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	d := &Dialer{published: map[netip.AddrPort]string{}, probeTimeout: 300 * time.Millisecond}
	for _, n := range lab.Nodes {
		d.published[n.Addr] = net.JoinHostPort(host, strconv.Itoa(n.HostPort))
	}
	d.mode.Store(int32(reach))
	return d
}

// Mode is how the dialer reaches nodes now.
func (d *Dialer) Mode() Reach { return Reach(d.mode.Load()) }

// DialContext dials addr, an in-network address, the way the mode says.
// Addresses that are not the lab's nodes are dialed as they are.
func (d *Dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	var nd net.Dialer
	ap, err := netip.ParseAddrPort(addr)
	hostAddr, mapped := "", false
	if err == nil {
		hostAddr, mapped = d.published[ap]
	}
	if !mapped {
		return nd.DialContext(ctx, network, addr)
	}
	switch d.Mode() {
	case ReachDirect:
		return nd.DialContext(ctx, network, addr)
	case ReachPublished:
		return nd.DialContext(ctx, network, hostAddr)
	}
	probeCtx, cancel := context.WithTimeout(ctx, d.probeTimeout)
	conn, directErr := nd.DialContext(probeCtx, network, addr)
	cancel()
	if directErr == nil {
		d.mode.CompareAndSwap(int32(ReachAuto), int32(ReachDirect))
		return conn, nil
	}
	conn, err = nd.DialContext(ctx, network, hostAddr)
	if err == nil {
		d.mode.CompareAndSwap(int32(ReachAuto), int32(ReachPublished))
		return conn, nil
	}
	return nil, directErr
}
