package failover

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

func testLab(t *testing.T) *lab.Lab {
	t.Helper()
	cfg, err := config.Load(config.Layers{Dir: "/labs/decide", UID: 1000, GID: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return &lab.Lab{Config: cfg, Topology: topology.New(cfg, netip.MustParsePrefix("172.28.5.0/24"))}
}

func views(l *lab.Lab, masterAddr string, answering ...bool) []probe.SentinelView {
	var out []probe.SentinelView
	for i, n := range l.Topology.Sentinels() {
		v := probe.SentinelView{Service: n.Service, Address: n.Addr.String()}
		if answering[i] {
			v.Reachable, v.MasterAddr, v.QuorumOK = true, masterAddr, true
		} else {
			v.Error = "dial tcp: connection refused"
		}
		out = append(out, v)
	}
	return out
}

// kill-master asks the sentinels who the master is, and refuses when too
// few of them answer to elect a leader, unless forced.
func TestCurrentMaster(t *testing.T) {
	l := testLab(t)
	node1 := l.Topology.Nodes[1]
	m, err := CurrentMaster(l.Topology, views(l, node1.Addr.String(), true, true, false), false)
	if err != nil || m.Service != "node-1" {
		t.Errorf("got %v, %v; want node-1, the master the sentinels name", m.Service, err)
	}
	_, err = CurrentMaster(l.Topology, views(l, node1.Addr.String(), true, false, false), false)
	var refused *RefusedError
	if !errors.As(err, &refused) || !strings.Contains(err.Error(), "only 1 of 3 sentinels answer") || !strings.Contains(err.Error(), "--force") {
		t.Errorf("one sentinel of three: %v", err)
	}
	if m, err := CurrentMaster(l.Topology, views(l, node1.Addr.String(), true, false, false), true); err != nil || m.Service != "node-1" {
		t.Errorf("forced: %v, %v", m.Service, err)
	}
	if _, err := CurrentMaster(l.Topology, views(l, "", false, false, false), true); !errors.As(err, &refused) {
		t.Errorf("no sentinel answers, even forced: %v", err)
	}
	sentinelAddr := l.Topology.Sentinels()[0].Addr.String()
	if _, err := CurrentMaster(l.Topology, views(l, sentinelAddr, true, true, true), false); err == nil || !strings.Contains(err.Error(), "not a data node") {
		t.Errorf("a sentinel named as master: %v", err)
	}
}

func TestWhyNoFailover(t *testing.T) {
	l := testLab(t)
	master := l.Topology.InitialMaster().Addr.String()
	cases := []struct {
		name   string
		views  []probe.SentinelView
		events []Event
		want   []string
	}{
		{"one sentinel left", views(l, master, true, false, false), nil,
			[]string{"only 1 of 3 sentinels answer; quorum 2 needs 2", "a majority (2) to elect a leader"}},
		{"no odown", views(l, master, true, true, true), []Event{{Type: "+sdown"}},
			[]string{"no sentinel saw the master objectively down"}},
		{"no good replica", views(l, master, true, true, true), []Event{{Type: "+odown"}, {Type: "-failover-abort-no-good-slave"}},
			[]string{"no replica was fit to promote"}},
		{"tilt", views(l, master, true, true, true), []Event{{Type: "+odown"}, {Type: "+tilt"}},
			[]string{"TILT"}},
	}
	for _, c := range cases {
		got := strings.Join(whyNoFailover(l, c.views, c.events), " | ")
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q does not say %q", c.name, got, w)
			}
		}
	}
}
