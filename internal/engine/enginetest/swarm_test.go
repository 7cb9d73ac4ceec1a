package enginetest

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
)

func serviceSpec(name string) engine.ServiceSpec {
	return engine.ServiceSpec{
		Name: "a_" + name, Network: "a_lab", Replicas: 1,
		Labels:    map[string]string{engine.LabelProject: "a", engine.LabelService: name},
		Container: engine.ContainerSpec{Image: "redis:7.2", Labels: map[string]string{engine.LabelProject: "a", engine.LabelService: name}},
	}
}

// The fake swarm refuses what a swarm refuses and keeps tasks the way a
// swarm does, so the lab's swarm runtime is tested on what Docker does.
func TestFakeSwarmBehavesLikeTheEngine(t *testing.T) {
	f := New("redis:7.2")
	if _, err := f.CreateService(ctx, serviceSpec("master")); !errors.Is(err, engine.ErrNotSwarmManager) {
		t.Errorf("a service off a swarm: %v", err)
	}
	if info, _ := f.SwarmInfo(ctx); info.State != engine.SwarmInactive || info.Manager {
		t.Errorf("before JoinSwarm: %+v", info)
	}
	f.JoinSwarm()
	f.CreateNetwork(ctx, engine.NetworkSpec{Name: "bridge_net"})
	bad := serviceSpec("master")
	bad.Network = "bridge_net"
	if _, err := f.CreateService(ctx, bad); err == nil {
		t.Error("a service on a bridge network was created")
	}
	f.CreateNetwork(ctx, engine.NetworkSpec{Name: "a_lab", Overlay: true, Subnet: netip.MustParsePrefix("10.0.9.0/24")})
	id, err := f.CreateService(ctx, serviceSpec("master"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.CreateService(ctx, serviceSpec("master")); err == nil {
		t.Error("a second service of the same name was created")
	}
	first, ok := f.Find("a", "master")
	if !ok || first.State != engine.StateRunning || first.Labels[LabelSwarmTask] == "" || !first.Addresses["a_lab"].IsValid() {
		t.Fatalf("task container %+v; want it running on the overlay with the swarm's labels", first)
	}
	// A killed task is a failed task, not restarted (restart policy none).
	f.Kill(ctx, first.ID, "SIGKILL")
	tasks, _ := f.Tasks(ctx, id)
	if len(tasks) != 1 || tasks[0].State != "failed" {
		t.Errorf("tasks after a kill: %+v", tasks)
	}
	if err := f.RestartService(ctx, id); err != nil {
		t.Fatal(err)
	}
	tasks, _ = f.Tasks(ctx, id)
	if len(tasks) != 2 || tasks[0].State != "running" || tasks[0].ContainerID == first.ID {
		t.Errorf("tasks after a restart: %+v; want a new running one first", tasks)
	}
	all, _ := f.Containers(ctx, map[string]string{engine.LabelService: "master"})
	if len(all) != 2 {
		t.Errorf("%d containers; the earlier task's stays, stopped", len(all))
	}
	f.ScaleService(ctx, id, 0)
	if all, _ := f.Containers(ctx, map[string]string{engine.LabelService: "master"}); len(all) != 0 {
		t.Errorf("scaled to 0: %d containers left", len(all))
	}
	if err := f.RemoveService(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := f.RemoveService(ctx, id); err != nil {
		t.Errorf("removing a removed service: %v", err)
	}
	if list, _ := f.Services(ctx, nil); len(list) != 0 {
		t.Errorf("services left: %+v", list)
	}
}
