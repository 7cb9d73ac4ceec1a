package present

import (
	"bytes"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/timers"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// The status table shows a node that is down or cut off as such, a
// sentinel that does not answer as down, and a failed CKQUORUM with its
// answer.
func TestPrintStatus(t *testing.T) {
	lag := int64(2)
	r := &lab.Report{
		Lab: "alpha", MasterName: "redis-master", Healthy: false,
		Server: "Redis 6.2.16", Image: "sentinel-lab/redis:6.2.16-local", Timers: timers.Fast,
		Master:   &topology.NodeRef{Service: "node-1", Address: "172.28.5.11:6380"},
		Problems: []string{"master is not yet a connected replica of node-1"},
		Nodes: []lab.NodeStatus{
			{Service: "master", State: "exited", Role: "down", Address: "172.28.5.10:6379", Error: "connection refused"},
			{Service: "node-1", State: "running", Network: "connected", Role: "master", Address: "172.28.5.11:6380", Offset: 900, ConnectedReplicas: 1, ReplID: "0123456789abcdef"},
			{Service: "node-2", State: "running", Network: "cut off", Role: "replica", Address: "172.28.5.12:6381", MasterService: "node-1", MasterLinkStatus: "up", Lag: &lag},
		},
		Sentinels: []lab.SentinelStatus{
			{Service: "sentinel-1", State: "running", Network: "connected", MasterAddress: "172.28.5.11:6380", MasterService: "node-1", Flags: "master", Replicas: 2, Sentinels: 2, Epoch: 1, QuorumOK: true, Timers: timers.Fast},
			{Service: "sentinel-2", State: "paused", Network: "connected", Error: "i/o timeout"},
			{Service: "sentinel-3", State: "running", Network: "connected", MasterAddress: "172.28.5.11:6380", MasterService: "node-1", Flags: "master", Tilt: true, QuorumReply: "NOQUORUM 1 usable Sentinels"},
		},
	}
	var out bytes.Buffer
	WriteStatus(&out, r)
	text := out.String()

	line := func(prefix string) string {
		for _, l := range strings.Split(text, "\n") {
			if strings.HasPrefix(l, prefix+" ") {
				return strings.Join(strings.Fields(l), " ")
			}
		}
		t.Fatalf("no line for %s in:\n%s", prefix, text)
		return ""
	}
	checks := map[string]string{
		"master":     "master exited down 172.28.5.10:6379 - - 0 - 0 -",
		"node-1":     "node-1 running master 172.28.5.11:6380 - - 900 - 1 0123456789ab",
		"node-2":     "node-2 running, cut off replica 172.28.5.12:6381 node-1 up 0 2 0 -",
		"sentinel-1": "sentinel-1 running node-1 (172.28.5.11:6380) master 2 2 1 no OK fast",
		"sentinel-2": "sentinel-2 paused down - - - - - - -",
		"sentinel-3": "sentinel-3 running node-1 (172.28.5.11:6380) master 0 0 0 yes NO: NOQUORUM 1 usable Sentinels -",
	}
	for prefix, want := range checks {
		if got := line(prefix); got != want {
			t.Errorf("%s:\n got %q\nwant %q", prefix, got, want)
		}
	}
	if !strings.HasPrefix(text, `Lab "alpha" is NOT healthy. Master: node-1 at 172.28.5.11:6380 (monitored as "redis-master").`) ||
		!strings.Contains(text, "\nServer: Redis 6.2.16; image sentinel-lab/redis:6.2.16-local.\n") ||
		!strings.Contains(text, "\nTimers: fast (info-period 500 ms, ping-period 300 ms, publish-period 250 ms, min-link-reconnect-period 2000 ms; set with SENTINEL DEBUG).\n") ||
		!strings.Contains(text, "  - master is not yet a connected replica of node-1\n") {
		t.Errorf("verdict and problems missing:\n%s", text)
	}
}

// In hostname or host addressing status shows what each node announces
// beside its in-network address, and says which one clients are handed.
func TestPrintStatusShowsAnnouncedAddresses(t *testing.T) {
	r := &lab.Report{
		Lab: "alpha", MasterName: "redis-master", Healthy: true, Addressing: "host",
		Master: &topology.NodeRef{Service: "master", Address: "172.28.5.10:7100", Announced: "master.alpha.localhost:7100"},
		Nodes: []lab.NodeStatus{
			{Service: "master", State: "running", Role: "master", Address: "172.28.5.10:7100", Announced: "master.alpha.localhost:7100"},
		},
	}
	var out bytes.Buffer
	WriteStatus(&out, r)
	text := out.String()
	for _, want := range []string{
		"Master: master at 172.28.5.10:7100 (announced as master.alpha.localhost:7100)",
		"Addressing host: the sentinels hand out the ANNOUNCED addresses",
		"ADDRESS           ANNOUNCED",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("status does not say %q:\n%s", want, text)
		}
	}
	if !strings.Contains(strings.Join(strings.Fields(text), " "), "master running master 172.28.5.10:7100 master.alpha.localhost:7100 -") {
		t.Errorf("the master's row lacks its announced address:\n%s", text)
	}
}
