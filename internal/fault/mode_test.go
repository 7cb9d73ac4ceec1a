package fault

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

func testTopology(t *testing.T) *topology.Lab {
	t.Helper()
	cfg, err := config.Load(config.Layers{Dir: "/labs/fault", UID: 1000, GID: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return topology.New(cfg, netip.MustParsePrefix("172.28.9.0/24"))
}

func TestParseMode(t *testing.T) {
	for _, m := range Modes {
		if _, err := ParseMode(string(m), Modes); err != nil {
			t.Errorf("mode %s refused: %v", m, err)
		}
	}
	if _, err := ParseMode("crash-after-election", MasterModes); err == nil || !strings.Contains(err.Error(), "kill, stop, pause, disconnect, sleep, delay, loss;") {
		t.Errorf("kill-master takes a sentinel's mode: %v", err)
	}
	if _, err := ParseMode("nuke", Modes); err == nil || !strings.Contains(err.Error(), "use --mode kill") {
		t.Errorf("bad mode: %v", err)
	}
}

// Every way of asking for a fault that cannot work is refused, naming the
// value and the fix.
func TestCheckRefusesWhatCannotWork(t *testing.T) {
	topo := testTopology(t)
	node := func(s string) []topology.Node { n, _ := topo.Node(s); return []topology.Node{n} }
	cases := []struct {
		spec    Spec
		targets []topology.Node
		want    string
	}{
		{Spec{Mode: Sleep}, node("master"), "--mode sleep needs --for"},
		{Spec{Mode: Sleep, For: time.Second}, node("sentinel-1"), "sentinels have no DEBUG SLEEP; --mode pause"},
		{Spec{Mode: CrashAfterElection}, node("node-1"), "arms a sentinel, and node-1 is a data node"},
		{Spec{Mode: CrashAfterPromotion, For: time.Second}, node("sentinel-1"), "--for does not apply to --mode crash-after-promotion"},
		{Spec{Mode: Delay}, node("master"), "--mode delay needs --delay"},
		{Spec{Mode: Delay, Delay: 100 * time.Millisecond, Jitter: time.Second}, node("master"), "--jitter 1s must be between 0 and --delay 100ms"},
		{Spec{Mode: Delay, Delay: time.Second, From: []string{"node-1"}}, node("master"), "--from applies to --mode loss only"},
		{Spec{Mode: Kill, Delay: time.Second}, node("master"), "--delay and --jitter apply to --mode delay only"},
		{Spec{Mode: Kill, LossPercent: 30}, node("master"), "--loss applies to --mode loss only"},
		{Spec{Mode: Loss, LossPercent: 0}, node("master"), "--loss 0% must be between 1% and 100%"},
		{Spec{Mode: Loss, LossPercent: 100, From: []string{"node-9"}}, node("master"), `--from "node-9" is not a node of this lab`},
		{Spec{Mode: Loss, LossPercent: 100, From: []string{"master"}}, node("master"), "--from master names the node being faulted"},
		{Spec{Mode: Pause, For: -time.Second}, node("master"), "--for -1s must be positive"},
	}
	for _, c := range cases {
		err := c.spec.Check(topo, c.targets)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.spec, err, c.want)
		}
		if ue, ok := err.(*UsageError); !ok || !ue.IsUsage() {
			t.Errorf("%+v: %T is not a usage error", c.spec, err)
		}
	}
	for _, ok := range []Spec{
		{Mode: Loss, LossPercent: 30, From: []string{"sentinel-1", "sentinel-2"}},
		{Mode: Sleep, For: 5 * time.Second},
		{Mode: Pause, For: 3 * time.Second},
		{Mode: Delay, Delay: 300 * time.Millisecond, Jitter: 50 * time.Millisecond},
	} {
		if err := ok.Check(topo, node("master")); err != nil {
			t.Errorf("%+v refused: %v", ok, err)
		}
	}
}

func TestParsePercentAndDescribe(t *testing.T) {
	for in, want := range map[string]int{"30%": 30, "30": 30, " 100% ": 100} {
		if got, err := ParsePercent(in); err != nil || got != want {
			t.Errorf("%q: %d %v", in, got, err)
		}
	}
	for _, bad := range []string{"0", "101%", "a lot", ""} {
		if _, err := ParsePercent(bad); err == nil || !strings.Contains(err.Error(), "such as --loss 30%") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	for spec, want := range map[*Spec]string{
		{Mode: Loss, LossPercent: 30, From: []string{"sentinel-1"}, For: 2 * time.Second}: "loss 30% from sentinel-1 for 2s",
		{Mode: Delay, Delay: 300 * time.Millisecond, Jitter: 50 * time.Millisecond}:       "delay 300ms ± 50ms",
		{Mode: Kill}: "kill",
	} {
		if got := spec.Describe(); got != want {
			t.Errorf("%+v: %q, want %q", *spec, got, want)
		}
	}
}

// The rules drop the share asked of the node's traffic, in and out,
// limited to the --from addresses when given, leaving loopback alone; a
// second fault replaces the first.
func TestLossRules(t *testing.T) {
	got := lossRules(30, nil)
	for _, want := range []string{
		"add table inet sentinel_lab\ndelete table inet sentinel_lab\nadd table inet sentinel_lab\n",
		"add chain inet sentinel_lab input { type filter hook input priority -10 ; policy accept ; }",
		`add rule inet sentinel_lab input iifname != "lo" numgen random mod 100 < 30 drop`,
		`add rule inet sentinel_lab output oifname != "lo" numgen random mod 100 < 30 drop`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("rules do not hold %q:\n%s", want, got)
		}
	}
	got = lossRules(100, []netip.Addr{netip.MustParseAddr("172.28.9.21"), netip.MustParseAddr("172.28.9.22")})
	for _, want := range []string{
		"add rule inet sentinel_lab input ip saddr { 172.28.9.21, 172.28.9.22 } drop",
		"add rule inet sentinel_lab output ip daddr { 172.28.9.21, 172.28.9.22 } drop",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("rules do not hold %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "numgen") {
		t.Errorf("a full partition drops every packet, without numgen:\n%s", got)
	}
}

func TestDeviceOf(t *testing.T) {
	out := "1: lo    inet 127.0.0.1/8 scope host lo\n44: eth1    inet 172.28.9.10/24 brd 172.28.9.255 scope global eth1"
	if dev, err := deviceOf(out, netip.MustParseAddr("172.28.9.10")); err != nil || dev != "eth1" {
		t.Errorf("device %q, %v", dev, err)
	}
	if _, err := deviceOf(out, netip.MustParseAddr("172.28.9.11")); err == nil || !strings.Contains(err.Error(), "no interface has the address 172.28.9.11") {
		t.Errorf("missing address: %v", err)
	}
}
