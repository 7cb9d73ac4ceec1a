package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
)

// Bridge is the lab network as the engine describes it.
type Bridge struct {
	Name    string
	Subnet  netip.Prefix
	Gateway netip.Addr
}

// BridgeLookup asks the engine for the lab network; an error says why there
// is none to use (it was removed, the engine does not answer).
type BridgeLookup func(ctx context.Context) (Bridge, error)

// bridgeCheck decides whether an in-network address may be dialed: only
// over the lab network's own bridge on this host. Otherwise the connection,
// and the lab password in its AUTH, would go wherever the host routes the
// subnet: with the network removed, through the default route and off the
// machine.
type bridgeCheck struct {
	lookup BridgeLookup
	subnet netip.Prefix
	// hostAddrs lists this host's interface addresses (net.InterfaceAddrs).
	hostAddrs func() ([]net.Addr, error)

	mu    sync.Mutex
	known *Bridge
}

// errNoLookup: nobody told the dialer how to find the lab network, so it
// cannot tell that in-network addresses stay on this host.
var errNoLookup = errors.New("the lab network was not looked up")

// check returns nil when addr is reached over the lab network's bridge on
// this host: the lab network exists with the lab's subnet, and its gateway
// is an address of one of this host's interfaces, on a prefix that holds
// addr. The engine's answer is kept; the host's addresses are read on every
// check, since a removed network takes its bridge with it.
func (b *bridgeCheck) check(ctx context.Context, addr netip.Addr) error {
	if b == nil || b.lookup == nil {
		return errNoLookup
	}
	b.mu.Lock()
	known := b.known
	b.mu.Unlock()
	if known == nil {
		br, err := b.lookup(ctx)
		if err != nil {
			return err
		}
		if br.Subnet != b.subnet {
			return fmt.Errorf("network %s has subnet %s, not the lab's %s", br.Name, br.Subnet, b.subnet)
		}
		known = &br
	}
	if err := gatewayIsLocal(b.hostAddrs, *known, addr); err != nil {
		b.forget()
		return err
	}
	b.mu.Lock()
	b.known = known
	b.mu.Unlock()
	return nil
}

// forget drops the engine's answer, so the next check asks again (the
// network may have been recreated meanwhile).
func (b *bridgeCheck) forget() {
	b.mu.Lock()
	b.known = nil
	b.mu.Unlock()
}

func gatewayIsLocal(hostAddrs func() ([]net.Addr, error), br Bridge, addr netip.Addr) error {
	if !br.Gateway.IsValid() {
		return fmt.Errorf("network %s has no gateway address", br.Name)
	}
	list, err := hostAddrs()
	if err != nil {
		return fmt.Errorf("listing this host's addresses: %w", err)
	}
	for _, a := range list {
		ipnet, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		ip, ok := netip.AddrFromSlice(ipnet.IP)
		if !ok || ip.Unmap() != br.Gateway {
			continue
		}
		ones, _ := ipnet.Mask.Size()
		if netip.PrefixFrom(ip.Unmap(), ones).Contains(addr) {
			return nil
		}
	}
	return fmt.Errorf("the gateway %s of network %s is not an address of this host (a remote or virtualised engine)", br.Gateway, br.Name)
}
