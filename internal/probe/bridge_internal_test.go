package probe

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"testing"
)

// The engine's answer is kept while the gateway stays on this host; once
// the bridge is gone (the network removed) the check fails at once and
// asks the engine again next time.
func TestBridgeCheckFollowsTheHostsAddresses(t *testing.T) {
	subnet := netip.MustParsePrefix("172.28.5.0/24")
	node := netip.MustParseAddr("172.28.5.10")
	lookups := 0
	hostHas := []net.Addr{&net.IPNet{IP: net.ParseIP("172.28.5.1"), Mask: net.CIDRMask(24, 32)}}
	b := &bridgeCheck{
		subnet: subnet,
		lookup: func(context.Context) (Bridge, error) {
			lookups++
			return Bridge{Name: "alpha_lab", Subnet: subnet, Gateway: netip.MustParseAddr("172.28.5.1")}, nil
		},
		hostAddrs: func() ([]net.Addr, error) { return hostHas, nil },
	}
	for i := 0; i < 3; i++ {
		if err := b.check(context.Background(), node); err != nil {
			t.Fatal(err)
		}
	}
	if lookups != 1 {
		t.Errorf("%d engine lookups for 3 checks, want 1", lookups)
	}

	hostHas = []net.Addr{&net.IPNet{IP: net.ParseIP("192.0.2.2"), Mask: net.CIDRMask(24, 32)}}
	err := b.check(context.Background(), node)
	if err == nil || !strings.Contains(err.Error(), "is not an address of this host") {
		t.Errorf("bridge gone: %v", err)
	}
	// The gateway on a prefix that does not hold the node (a /32) does not
	// route the node over the bridge either.
	hostHas = []net.Addr{&net.IPNet{IP: net.ParseIP("172.28.5.1"), Mask: net.CIDRMask(32, 32)}}
	if err := b.check(context.Background(), node); err == nil {
		t.Error("a /32 gateway address was taken for the bridge")
	}
	if lookups != 2 {
		t.Errorf("%d lookups, want the engine asked again after the first failure (2)", lookups)
	}
}
