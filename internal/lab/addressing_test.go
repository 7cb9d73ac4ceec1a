package lab

import (
	"os"
	"slices"
	"strings"
	"testing"

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
