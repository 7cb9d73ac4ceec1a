package lab

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
)

const procNetRoute = `Iface	Destination	Gateway 	Flags	RefCnt	Use	Metric	Mask		MTU	Window	IRTT
eth0	00000000	010200C0	0003	0	0	0	00000000	0	0	0
docker0	000011AC	00000000	0001	0	0	0	0000FFFF	0	0	0
tun0	00001CAC	00000000	0001	0	0	0	0000FFFF	0	0	0
br-0209c4aa11bb	00051CAC	00000000	0001	0	0	0	00FFFFFF	0	0	0
`

func TestParseRoutes(t *testing.T) {
	routes, err := parseRoutes(strings.NewReader(procNetRoute))
	if err != nil {
		t.Fatal(err)
	}
	want := []Route{
		{"eth0", mustPrefix("0.0.0.0/0")}, {"docker0", mustPrefix("172.17.0.0/16")},
		{"tun0", mustPrefix("172.28.0.0/16")}, {"br-0209c4aa11bb", mustPrefix("172.28.5.0/24")},
	}
	if !slices.Equal(routes, want) {
		t.Errorf("got %v, want %v", routes, want)
	}
}

func TestRoutedElsewhereSkipsTheDefaultRouteAndTheLabsOwnBridge(t *testing.T) {
	routes, _ := parseRoutes(strings.NewReader(procNetRoute))
	own := []engine.Network{{ID: "0209c4aa11bbccdd", Name: "alpha_lab", Labels: map[string]string{engine.LabelProject: "alpha"}}}
	if got := routedElsewhere(routes, own, "alpha", mustPrefix("10.1.2.0/24")); got != "" {
		t.Errorf("10.1.2.0/24 (only the default route) is routed elsewhere: %s", got)
	}
	if got := routedElsewhere(routes[3:], own, "alpha", mustPrefix("172.28.5.0/24")); got != "" {
		t.Errorf("the lab's own bridge counts as elsewhere: %s", got)
	}
	if got := routedElsewhere(routes, own, "alpha", mustPrefix("172.28.9.0/24")); got != "172.28.0.0/16 (via tun0)" {
		t.Errorf("inside a VPN's route: %q", got)
	}
}

// Issue 17: the automatic subnet must skip any subnet this host routes
// elsewhere (here a VPN's 172.28.0.0/16, where the pool starts), or the
// lab's addresses are that network's.
func TestUpSubnetAvoidsSubnetsTheHostRoutesElsewhere(t *testing.T) {
	first, err := chooseSubnet("alpha", nil)
	if err != nil {
		t.Fatal(err)
	}
	vpn := netip.PrefixFrom(first.Addr(), 16).Masked()
	old := hostRoutes
	hostRoutes = func() ([]Route, error) {
		return []Route{{"eth0", mustPrefix("0.0.0.0/0")}, {"tun0", vpn}}, nil
	}
	t.Cleanup(func() { hostRoutes = old })
	env := newTestEnv(healthy)
	dir := mkdir(t, newDir(t))

	res := env.up(t, dir, nil)

	if chosen := res.Lab.Topology.Subnet; chosen.Overlaps(vpn) {
		t.Errorf("chose %v, inside %v which the host routes through tun0", chosen, vpn)
	}
}
