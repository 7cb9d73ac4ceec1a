package lab

import (
	"bytes"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/progress"
)

// stopAll stops every container of lab "alpha", as `docker stop` would.
func (e *testEnv) stopAll(t *testing.T) {
	t.Helper()
	list, err := e.eng.Containers(ctx, ProjectLabels("alpha"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		if err := e.eng.Stop(ctx, c.ID, time.Second); err != nil {
			t.Fatal(err)
		}
	}
}

// Issue 17: after `docker network rm <lab>_lab` (the containers stopped),
// up failed with "network 0209c4... not found": the stopped containers
// still name the removed network. up creates the network again and
// recreates the containers that were on it; their data is in data/.
func TestUpRecreatesAMissingLabNetworkAndItsContainers(t *testing.T) {
	env := newTestEnv(healthy)
	dir := mkdir(t, newDir(t))
	res := env.up(t, dir, nil)
	env.stopAll(t)
	if err := env.eng.RemoveNetwork(ctx, res.Lab.NetworkName()); err != nil {
		t.Fatal(err)
	}

	st, err := env.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(st.Problems, func(p string) bool {
		return strings.Contains(p, "network alpha_lab does not exist") && strings.Contains(p, "sentinel-lab up")
	}) {
		t.Errorf("status problems %q, want the missing network named with the fix", st.Problems)
	}

	again, err := env.Up(ctx, dir, loadConfig(t, dir, nil), UpOptions{Timeout: time.Minute})
	if err != nil {
		t.Fatalf("up after the network was removed: %v", err)
	}
	if got, want := sorted(again.Recreated), sorted(res.Lab.Topology.Services()); !slices.Equal(got, want) {
		t.Errorf("recreated %v, want every node %v", got, want)
	}
	for _, n := range res.Lab.Topology.Nodes {
		c := env.find(t, n.Service)
		if c.State != engine.StateRunning || c.Addresses[res.Lab.NetworkName()] != n.Addr.Addr() {
			t.Errorf("%s: %s at %v, want running at %v", n.Service, c.State, c.Addresses[res.Lab.NetworkName()], n.Addr.Addr())
		}
	}
}

// Issue 17: for a foreign, unlabelled network with the lab's network name,
// up said to remove the lab with down, which (rightly) leaves that network
// alone. It names the real fix.
func TestUpNamesTheFixForAForeignNetworkOfTheLabsName(t *testing.T) {
	env := newTestEnv(healthy)
	dir := mkdir(t, newDir(t))
	env.eng.AddNetwork(engine.Network{Name: "alpha_lab", Subnets: []netip.Prefix{mustPrefix("10.9.0.0/24")}})

	_, err := env.Up(ctx, dir, loadConfig(t, dir, map[string]string{"subnet": "172.28.5.0/24"}), UpOptions{Timeout: time.Minute})

	for _, want := range []string{"is not this lab's", "docker network rm alpha_lab", "--name"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want it to say %q", err, want)
		}
	}
	if err != nil && strings.Contains(err.Error(), "sentinel-lab down") && !strings.Contains(err.Error(), "leaves it alone") {
		t.Errorf("still advises down, which does not remove it: %v", err)
	}
}

// Issue 17: a network of the override file without a subnet was announced
// as "created network adv1_default (invalid Prefix)".
func TestUpSaysTheEngineChoosesAnOverrideNetworksSubnet(t *testing.T) {
	env := newTestEnv(healthy)
	env.eng.PullImage(ctx, "busybox", nil)
	var out bytes.Buffer
	env.Progress = progress.New(&out)
	dir := mkdir(t, newDir(t))
	if err := os.MkdirAll(dir.Path("compose"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir.OverrideFile(), []byte("services:\n  app:\n    image: busybox\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	env.up(t, dir, nil)

	if strings.Contains(out.String(), "invalid Prefix") || !strings.Contains(out.String(), "created network alpha_default (subnet chosen by the engine)") {
		t.Errorf("progress:\n%s", out.String())
	}
}
