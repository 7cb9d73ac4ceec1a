package probe

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// Reach is how the CLI reaches the lab's nodes.
type Reach int32

// The ways to reach a node.
const (
	// ReachAuto tries the in-network address first, when the lab's bridge
	// is on this host, and falls back to the published port, then sticks
	// to whichever answered.
	ReachAuto Reach = iota
	// ReachDirect dials in-network addresses (Linux: the host routes to
	// the bridge), and refuses when the lab's bridge is not on this host.
	ReachDirect
	// ReachPublished maps in-network addresses to published host ports
	// (Docker Desktop: the host cannot route to the bridge).
	ReachPublished
)

// Dialer is the one way every Redis connection of the CLI is made. Sentinels
// and INFO report in-network addresses; the Dialer turns those into
// something the host can reach. It dials an in-network address only over
// the lab network's own bridge on this host (see bridgeCheck), else the
// node's published port: never wherever else the host would route it.
type Dialer struct {
	published map[netip.AddrPort]string
	// inNetwork maps what nodes announce (names in hostname or host
	// addressing) to their in-network addresses.
	inNetwork map[string]netip.AddrPort
	subnet    netip.Prefix
	reach     Reach
	// learned is what answered in ReachAuto: ReachAuto until then.
	learned atomic.Int32
	// offBridge is why ReachAuto settled on published ports, when the
	// lab's bridge is not there: every failed dial says it.
	offBridge atomic.Pointer[error]
	bridge    *bridgeCheck
	// probeTimeout bounds the direct attempt while the mode is not known.
	probeTimeout time.Duration
}

// NewDialer maps each node's in-network address to its published port on
// bindHost (127.0.0.1 when the lab binds every interface). Until WithBridge
// says how to find the lab network, it dials no in-network address.
func NewDialer(lab *topology.Lab, bind string, reach Reach) *Dialer {
	host := config.HostAddress(bind)
	d := &Dialer{
		published: map[netip.AddrPort]string{}, inNetwork: map[string]netip.AddrPort{},
		subnet: lab.Subnet, reach: reach, probeTimeout: 300 * time.Millisecond,
	}
	for _, n := range lab.Nodes {
		d.published[n.Addr] = net.JoinHostPort(host, strconv.Itoa(n.HostPort))
		d.inNetwork[n.Announced()] = n.Addr
	}
	d.learned.Store(int32(ReachAuto))
	return d
}

// WithBridge tells the dialer how to find the lab network, so it can check
// that in-network addresses are reached over its bridge on this host.
func (d *Dialer) WithBridge(lookup BridgeLookup) *Dialer {
	d.bridge = &bridgeCheck{lookup: lookup, subnet: d.subnet, hostAddrs: net.InterfaceAddrs}
	return d
}

// Mode is how the dialer reaches nodes now.
func (d *Dialer) Mode() Reach {
	if d.reach != ReachAuto {
		return d.reach
	}
	return Reach(d.learned.Load())
}

// DialContext dials addr, an in-network address, the way the mode says.
// Addresses outside the lab's subnet are dialed as they are.
func (d *Dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	var nd net.Dialer
	if in, ok := d.inNetwork[addr]; ok {
		addr = in.String() // a node's name: dialed like its address
	}
	ap, err := netip.ParseAddrPort(addr)
	if err != nil || !d.subnet.Contains(ap.Addr()) {
		return nd.DialContext(ctx, network, addr)
	}
	hostAddr, mapped := d.published[ap]
	published := func(why error) (net.Conn, error) {
		if !mapped {
			return nil, fmt.Errorf("%s is not a node of this lab and has no published port; not dialing it (%v)", addr, why)
		}
		conn, err := nd.DialContext(ctx, network, hostAddr)
		if err != nil && why != nil {
			return nil, fmt.Errorf("%w (not dialing %s directly: %v)", err, addr, why)
		}
		return conn, err
	}
	if d.Mode() == ReachPublished && mapped {
		var why error
		if p := d.offBridge.Load(); p != nil {
			why = *p
		}
		return published(why)
	}
	if err := d.bridge.check(ctx, ap.Addr()); err != nil {
		if d.reach == ReachDirect {
			return nil, fmt.Errorf("not dialing %s directly: %v; use --connect published or auto", addr, err)
		}
		d.offBridge.Store(&err)
		d.learned.Store(int32(ReachPublished))
		return published(err)
	}
	if d.Mode() != ReachAuto {
		return nd.DialContext(ctx, network, addr)
	}
	probeCtx, cancel := context.WithTimeout(ctx, d.probeTimeout)
	conn, directErr := nd.DialContext(probeCtx, network, addr)
	cancel()
	if directErr == nil {
		d.learned.CompareAndSwap(int32(ReachAuto), int32(ReachDirect))
		return conn, nil
	}
	if !mapped {
		return nil, directErr
	}
	conn, err = nd.DialContext(ctx, network, hostAddr)
	if err == nil {
		d.learned.CompareAndSwap(int32(ReachAuto), int32(ReachPublished))
		return conn, nil
	}
	return nil, directErr
}
