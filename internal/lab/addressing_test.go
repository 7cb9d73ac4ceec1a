package lab

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
	"github.com/sentinel-lab/sentinel-lab/internal/render"
)

// renderedWith is rendered with flags of its own.
func renderedWith(t *testing.T, flags map[string]string) *Lab {
	t.Helper()
	dir := mkdir(t, newDir(t))
	flags["subnet"] = "172.28.5.0/24"
	l, err := Resolve(dir, loadConfig(t, dir, flags), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Render(nil); err != nil {
		t.Fatal(err)
	}
	return l
}

// Hostname addressing names every node in the confs, and every container's
// hosts file maps every name to the node's static address. That is how the
// lab fails over every time: Docker's DNS forgets a stopped container's
// name (redis#12753, #11241), and a sentinel that cannot resolve the old
// master stalls the failover (and one that cannot resolve it at start
// refuses its conf), while a hosts-file line outlives the container. The
// static address is the one the container gets back when it starts again.
func TestHostnameAddressingPinsEveryNameInEveryHostsFile(t *testing.T) {
	l := renderedWith(t, map[string]string{"addressing": "hostnames"})
	got := plans(t, l, load(t, l))
	var want []string
	for _, n := range l.Topology.Nodes {
		want = append(want, n.Service+":"+n.Addr.Addr().String())
	}
	slices.Sort(want)
	for _, n := range l.Topology.Nodes {
		if hosts := got[n.Service].Spec.ExtraHosts; !slices.Equal(hosts, want) {
			t.Errorf("%s: extra hosts %v, want %v", n.Service, hosts, want)
		}
		b, err := os.ReadFile(render.ConfPath(l.Dir, n))
		if err != nil {
			t.Fatal(err)
		}
		conf := string(b)
		if strings.Contains(conf, "172.28.5.") {
			t.Errorf("%s: the conf names an address, not a name:\n%s", n.Service, conf)
		}
		if n.IsSentinel() {
			resolve := strings.Index(conf, "sentinel resolve-hostnames yes")
			if resolve < 0 || resolve > strings.Index(conf, "sentinel monitor") ||
				!strings.Contains(conf, "sentinel announce-hostnames yes\nsentinel announce-ip "+n.Service+"\n") ||
				!strings.Contains(conf, "sentinel monitor redis-master master 6379 2\n") {
				t.Errorf("%s: not resolving and announcing names before the monitor line:\n%s", n.Service, conf)
			}
		} else if !strings.Contains(conf, "replica-announce-ip "+n.Service+"\n") {
			t.Errorf("%s: does not announce its name:\n%s", n.Service, conf)
		}
	}
}

// IP addressing adds no hosts-file lines, so the containers of labs made
// before addressing existed keep their spec hash and are not recreated.
func TestIPAddressingAddsNoHostsLines(t *testing.T) {
	l := renderedWith(t, map[string]string{})
	for name, s := range plans(t, l, load(t, l)) {
		if len(s.Spec.ExtraHosts) != 0 {
			t.Errorf("%s: extra hosts %v in ip addressing", name, s.Spec.ExtraHosts)
		}
	}
}

// Host addressing: what a sentinel or master hands out must work from an
// application on the host and from inside the lab, the same on Linux and
// Docker Desktop. The nodes announce <service>.<lab>.localhost:<host port>.
// On the host one hosts-file line maps those names to the published ports'
// address (loopback unless --bind), and each node is published on the port
// it listens on inside, so the same host:port reaches it. Inside the lab
// every container's hosts file maps the names to the nodes' static
// addresses, so containers never go through the host: no
// host.docker.internal or host-gateway, which differ between Linux (where
// ports bound to 127.0.0.1 are not reachable from containers) and Docker
// Desktop.
func TestHostAddressingNamesResolveOnBothSidesToTheSamePort(t *testing.T) {
	l := renderedWith(t, map[string]string{"addressing": "host", "port": "7100", "sentinel-port": "27100"})
	got := plans(t, l, load(t, l))
	for _, n := range l.Topology.Nodes {
		s := got[n.Service]
		name := n.Service + ".alpha.localhost"
		if n.Host != name || n.Addr.Port() != uint16(n.HostPort) {
			t.Errorf("%s announces %s, want %s:%d", n.Service, n.Announced(), name, n.HostPort)
		}
		if len(s.Spec.Ports) != 1 || s.Spec.Ports[0].HostIP != "127.0.0.1" ||
			s.Spec.Ports[0].HostPort != s.Spec.Ports[0].ContainerPort || int(s.Spec.Ports[0].HostPort) != n.HostPort {
			t.Errorf("%s: ports %+v, want 127.0.0.1:%d:%d", n.Service, s.Spec.Ports, n.HostPort, n.HostPort)
		}
		for _, m := range l.Topology.Nodes {
			if !slices.Contains(s.Spec.ExtraHosts, m.Host+":"+m.Addr.Addr().String()) {
				t.Errorf("%s's hosts file does not map %s to %s: %v", n.Service, m.Host, m.Addr.Addr(), s.Spec.ExtraHosts)
			}
		}
		b, err := os.ReadFile(render.ConfPath(l.Dir, n))
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("port %d\n", n.HostPort); !strings.Contains(string(b), want) {
			t.Errorf("%s does not listen on its host port (%q):\n%s", n.Service, want, b)
		}
	}
	c := l.Connection()
	if c.HostsLine != "127.0.0.1 master.alpha.localhost node-1.alpha.localhost node-2.alpha.localhost sentinel-1.alpha.localhost sentinel-2.alpha.localhost sentinel-3.alpha.localhost" {
		t.Errorf("hosts line %q", c.HostsLine)
	}
	if !slices.Equal(c.Sentinels, []string{"127.0.0.1:27100", "127.0.0.1:27101", "127.0.0.1:27102"}) || c.Addressing != "host" {
		t.Errorf("connection %+v", c)
	}
}

// connect -o json has exactly the keys applications and scripts read.
func TestConnectionJSONKeys(t *testing.T) {
	l := renderedWith(t, map[string]string{"no-auth": "true"})
	b, err := json.Marshal(l.Connection())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	keys := slices.Sorted(maps.Keys(m))
	if !slices.Equal(keys, []string{"addressing", "master_name", "password_file", "sentinels"}) || m["password_file"] != "" {
		t.Errorf("connect JSON %s", b)
	}
}

// The addressing is in the confs, and so are the ports in host addressing:
// kept confs cannot follow a change of either, which would leave nodes
// published on ports they do not listen on, so it is refused before
// anything is written, naming the fix. Ports of ip addressing may change.
func TestChangedAddressingOrHostPortsAreRefused(t *testing.T) {
	resolve := func(dir labdir.Dir, flags map[string]string) error {
		t.Helper()
		flags["subnet"] = "172.28.5.0/24"
		_, err := Resolve(dir, loadConfig(t, dir, flags), nil)
		return err
	}
	ip := mkdir(t, newDir(t))
	renderNotes(t, ip, map[string]string{"subnet": "172.28.5.0/24", "port": "7100"})
	before := listTree(t, ip.Root)
	err := resolve(ip, map[string]string{"addressing": "host"})
	var shape *ShapeError
	if !errors.As(err, &shape) || !shape.IsUsage() ||
		!strings.Contains(err.Error(), "addressing host: the lab's confs under data/ were rendered with addressing ip") ||
		!strings.Contains(err.Error(), "sentinel-lab down --volumes") || !strings.Contains(err.Error(), "--addressing ip") {
		t.Errorf("got %v, want the change of addressing refused with its fix", err)
	}
	if !slices.Equal(before, listTree(t, ip.Root)) {
		t.Error("the refused change wrote something")
	}
	if err := resolve(ip, map[string]string{"port": "7200"}); err != nil {
		t.Errorf("a new port of an ip lab: %v", err)
	}

	host := mkdir(t, newDir(t))
	renderNotes(t, host, map[string]string{"subnet": "172.28.5.0/24", "addressing": "host", "port": "7100"})
	if err := resolve(host, map[string]string{"port": "7300"}); !errors.As(err, &shape) || shape.Key != "port" || shape.Old != "7100" {
		t.Errorf("a new port of a host lab: %v, want it refused", err)
	}
	if err := resolve(host, map[string]string{}); err != nil {
		t.Errorf("the host lab as it is: %v", err)
	}
}
