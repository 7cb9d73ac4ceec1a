package lab

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/bits"
	"net"
	"net/netip"
	"os"
	"strings"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
)

// Route is one IPv4 route of this host.
type Route struct {
	Iface  string
	Prefix netip.Prefix
}

// hostRoutes lists this host's IPv4 routes: the kernel's table on Linux,
// the prefixes of its interfaces elsewhere. Tests replace it.
var hostRoutes = func() ([]Route, error) {
	f, err := os.Open("/proc/net/route")
	if err != nil {
		return interfaceRoutes()
	}
	defer f.Close()
	return parseRoutes(f)
}

// parseRoutes reads /proc/net/route: a header, then per route the
// interface, destination, gateway, flags, ..., mask, with addresses as the
// hex of the kernel's 32-bit words in the machine's byte order.
func parseRoutes(r interface{ Read([]byte) (int, error) }) ([]Route, error) {
	var out []Route
	sc := bufio.NewScanner(r)
	for line := 0; sc.Scan(); line++ {
		f := strings.Fields(sc.Text())
		if line == 0 || len(f) < 8 {
			continue // the header
		}
		dst, err1 := routeAddr(f[1])
		mask, err2 := routeAddr(f[7])
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("/proc/net/route line %d: %q", line+1, sc.Text())
		}
		m := mask.As4()
		ones := bits.OnesCount32(binary.BigEndian.Uint32(m[:]))
		out = append(out, Route{Iface: f[0], Prefix: netip.PrefixFrom(dst, ones).Masked()})
	}
	return out, sc.Err()
}

func routeAddr(h string) (netip.Addr, error) {
	b, err := hex.DecodeString(h)
	if err != nil || len(b) != 4 {
		return netip.Addr{}, fmt.Errorf("bad address %q", h)
	}
	var a [4]byte
	binary.NativeEndian.PutUint32(a[:], binary.BigEndian.Uint32(b))
	return netip.AddrFrom4(a), nil
}

// interfaceRoutes are the prefixes this host's interfaces are on.
func interfaceRoutes() ([]Route, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	var out []Route
	for _, i := range ifs {
		addrs, _ := i.Addrs()
		for _, a := range addrs {
			if p, err := netip.ParsePrefix(a.String()); err == nil && p.Addr().Is4() {
				out = append(out, Route{Iface: i.Name, Prefix: p.Masked()})
			}
		}
	}
	return out, nil
}

// routedElsewhere names a route of this host that overlaps p, other than
// the default route and the bridges of the project's own networks: an
// automatic subnet must not be one the host sends somewhere else (a VPN,
// the LAN), or the lab's addresses would be that place's.
func routedElsewhere(routes []Route, nets []engine.Network, project string, p netip.Prefix) string {
	own := map[string]bool{}
	for _, n := range nets {
		if n.Labels[engine.LabelProject] == project && len(n.ID) >= 12 {
			own["br-"+n.ID[:12]] = true
		}
	}
	for _, r := range routes {
		if r.Prefix.Bits() == 0 || own[r.Iface] || !r.Prefix.Overlaps(p) {
			continue
		}
		return fmt.Sprintf("%s (via %s)", r.Prefix, r.Iface)
	}
	return ""
}
