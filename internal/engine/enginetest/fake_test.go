package enginetest

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
)

var ctx = context.Background()

func spec(project, service string, networks ...string) engine.ContainerSpec {
	s := engine.ContainerSpec{
		Name: project + "-" + service + "-1", Image: "redis:7.2",
		Labels: map[string]string{engine.LabelProject: project, engine.LabelService: service},
	}
	for i, n := range networks {
		s.Endpoints = append(s.Endpoints, engine.Endpoint{Network: n, IPv4: netip.AddrFrom4([4]byte{10, 0, 0, byte(10 + i)})})
	}
	return s
}

// The fake refuses what Docker refuses, so orchestration tests cannot pass
// on sequences a real engine would reject.
func TestFakeBehavesLikeTheEngine(t *testing.T) {
	f := New("redis:7.2")
	if err := f.CreateNetwork(ctx, engine.NetworkSpec{Name: "a_lab", Subnet: netip.MustParsePrefix("10.0.0.0/24")}); err != nil {
		t.Fatal(err)
	}
	if err := f.CreateNetwork(ctx, engine.NetworkSpec{Name: "a_lab"}); err == nil {
		t.Error("a second network of the same name was created")
	}
	id, err := f.CreateContainer(ctx, spec("a", "master", "a_lab"))
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]engine.ContainerSpec{
		"a name in use":     spec("a", "master"),
		"a missing image":   func() engine.ContainerSpec { s := spec("a", "x"); s.Image = "nope"; return s }(),
		"a missing network": spec("a", "y", "nowhere"),
	} {
		if _, err := f.CreateContainer(ctx, s); err == nil {
			t.Errorf("created a container with %s", name)
		}
	}
	if c, _ := f.Find("a", "master"); c.State != engine.StateCreated || c.Addresses["a_lab"] != netip.MustParseAddr("10.0.0.10") {
		t.Errorf("new container %+v, want created at its static address", c)
	}
	if err := f.Unpause(ctx, id); err == nil {
		t.Error("unpaused a container that is not paused")
	}
	if err := f.Start(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := f.RemoveNetwork(ctx, "a_lab"); err == nil {
		t.Error("removed a network a running container is on")
	}
	if err := f.Kill(ctx, id, "SIGKILL"); err != nil {
		t.Fatal(err)
	}
	if err := f.RemoveNetwork(ctx, "a_lab"); err != nil {
		t.Errorf("a stopped container holds its network: %v", err)
	}
	// Like Docker, a container cannot start once its network is gone,
	// even when one of the same name is created again.
	if err := f.CreateNetwork(ctx, engine.NetworkSpec{Name: "a_lab", Subnet: netip.MustParsePrefix("10.0.0.0/24")}); err != nil {
		t.Fatal(err)
	}
	if err := f.Start(ctx, id); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("started a container whose network was removed: %v", err)
	}
	if err := f.Remove(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := f.Remove(ctx, id); err != nil {
		t.Errorf("removing a container already gone: %v", err)
	}
}

func TestFakeListsByLabels(t *testing.T) {
	f := New("redis:7.2")
	for _, s := range []engine.ContainerSpec{spec("a", "master"), spec("a", "node-1"), spec("b", "master")} {
		if _, err := f.CreateContainer(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	names := func(labels map[string]string) []string {
		list, err := f.Containers(ctx, labels)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range list {
			out = append(out, c.Name)
		}
		return out
	}
	cases := []struct {
		labels map[string]string
		want   []string
	}{
		{nil, []string{"a-master-1", "a-node-1-1", "b-master-1"}},
		{map[string]string{engine.LabelProject: "a"}, []string{"a-master-1", "a-node-1-1"}},
		{map[string]string{engine.LabelProject: "a", engine.LabelService: "master"}, []string{"a-master-1"}},
		{map[string]string{engine.LabelProject: "c"}, nil},
		{map[string]string{engine.LabelOneoff: "False"}, nil}, // a label no container carries
	}
	for _, c := range cases {
		if got := names(c.labels); !slices.Equal(got, c.want) {
			t.Errorf("Containers(%v) = %v, want %v", c.labels, got, c.want)
		}
	}
}

func TestFakeFailuresAndCalls(t *testing.T) {
	f := New("redis:7.2")
	boom := errors.New("boom")
	f.FailOn("Ping", boom)
	if _, err := f.Ping(ctx); !errors.Is(err, boom) {
		t.Errorf("Ping: %v, want boom", err)
	}
	f.FailOn("Ping", nil)
	if _, err := f.Ping(ctx); err != nil {
		t.Errorf("Ping after the failure was cleared: %v", err)
	}
	id, _ := f.CreateContainer(ctx, spec("a", "sentinel-1"))
	f.ExitOnStart("sentinel-1", "line 1\nline 2\nline 3\n")
	if err := f.Start(ctx, id); err != nil {
		t.Fatal(err)
	}
	if c, _ := f.Find("a", "sentinel-1"); c.State != engine.StateExited {
		t.Errorf("state %s, want exited", c.State)
	}
	if logs, _ := f.Logs(ctx, id, 2); logs != "line 2\nline 3\n" {
		t.Errorf("last 2 lines %q", logs)
	}
	f.FailStart("sentinel-1", boom)
	if err := f.Start(ctx, id); !errors.Is(err, boom) {
		t.Errorf("Start: %v, want boom", err)
	}
	if got := f.CallsTo("Start"); !slices.Equal(got, []string{"sentinel-1", "sentinel-1"}) {
		t.Errorf("Start calls %v", got)
	}
}

// up creates and starts containers concurrently; run with -race.
func TestFakeIsSafeForConcurrentUse(t *testing.T) {
	f := New("redis:7.2")
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			id, err := f.CreateContainer(ctx, spec("a", fmt.Sprintf("node-%d", i)))
			if err == nil {
				err = f.Start(ctx, id)
			}
			if err != nil {
				t.Error(err)
			}
			f.Containers(ctx, nil)
		})
	}
	wg.Wait()
	if list, _ := f.Containers(ctx, nil); len(list) != 20 {
		t.Errorf("%d containers, want 20", len(list))
	}
	if n := len(f.CallsTo("CreateContainer")); n != 20 {
		t.Errorf("%d creations recorded, want 20", n)
	}
}
