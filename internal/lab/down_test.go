package lab

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
)

// other puts a container and a network of another project on the engine,
// which down must leave alone.
func other(t *testing.T, env *testEnv) (containerID string) {
	t.Helper()
	env.eng.AddNetwork(engine.Network{Name: "beta_lab", Subnets: []netip.Prefix{mustPrefix("10.77.0.0/24")},
		Labels: map[string]string{engine.LabelProject: "beta"}})
	id, err := env.eng.CreateContainer(ctx, engine.ContainerSpec{
		Name: "beta-master-1", Image: testImage,
		Labels:    map[string]string{engine.LabelProject: "beta", engine.LabelService: "master"},
		Endpoints: []engine.Endpoint{{Network: "beta_lab"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.eng.Start(ctx, id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestDownRemovesOnlyTheLabsContainersAndNetworks(t *testing.T) {
	env := newTestEnv(healthy)
	dir := mkdir(t, newDir(t))
	res := env.up(t, dir, nil)
	otherID := other(t, env)

	down, err := env.Down(ctx, DownOptions{})
	if err != nil {
		t.Fatal(err)
	}

	if want := sorted(res.Lab.Topology.Services()); !slices.Equal(down.Containers, want) {
		t.Errorf("removed %v, want %v", down.Containers, want)
	}
	if !slices.Equal(down.Networks, []string{"alpha_lab"}) {
		t.Errorf("removed networks %v, want alpha_lab", down.Networks)
	}
	left, _ := env.eng.Containers(ctx, nil)
	if len(left) != 1 || left[0].ID != otherID || left[0].State != engine.StateRunning {
		t.Errorf("left %+v, want only beta's running master", left)
	}
	nets, _ := env.eng.Networks(ctx)
	if len(nets) != 1 || nets[0].Name != "beta_lab" {
		t.Errorf("left networks %+v, want only beta_lab", nets)
	}
	if len(down.DeletedData) > 0 {
		t.Errorf("down without volumes deleted %v", down.DeletedData)
	}
	for _, n := range res.Lab.Topology.Nodes {
		if _, err := os.Stat(dir.NodeData(n.Service)); err != nil {
			t.Errorf("down without volumes lost %s: %v", dir.Rel(dir.NodeData(n.Service)), err)
		}
	}
}

func TestDownIsIdempotent(t *testing.T) {
	env := newTestEnv(healthy)
	dir := mkdir(t, newDir(t))
	env.up(t, dir, nil)
	if _, err := env.Down(ctx, DownOptions{}); err != nil {
		t.Fatal(err)
	}
	env.eng.ResetCalls()

	again, err := env.Down(ctx, DownOptions{})

	if err != nil {
		t.Fatalf("down of a lab that is down: %v", err)
	}
	if len(again.Containers)+len(again.Networks) > 0 {
		t.Errorf("second down removed %v and %v", again.Containers, again.Networks)
	}
	if calls := append(env.eng.CallsTo("Remove"), env.eng.CallsTo("RemoveNetwork")...); len(calls) > 0 {
		t.Errorf("second down still removed %v", calls)
	}
}

// A lab never started: nothing on the engine, nothing to do, no error.
func TestDownOfALabNeverStarted(t *testing.T) {
	env := newTestEnv(healthy)
	dir := mkdir(t, newDir(t))
	l, err := Resolve(dir, loadConfig(t, dir, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	env.Lab = l
	res, err := env.Down(ctx, DownOptions{Volumes: true})
	if err != nil || len(res.Containers)+len(res.Networks)+len(res.DeletedData) > 0 {
		t.Errorf("got %+v, %v; want nothing done and no error", res, err)
	}
}

func TestDownVolumesDeletesOnlyTheNodesFolders(t *testing.T) {
	env := newTestEnv(healthy)
	dir := mkdir(t, newDir(t))
	res := env.up(t, dir, nil)
	keep := []string{
		filepath.Join("data", "notes.txt"),
		filepath.Join("data", "app", "dump.rdb"),
		filepath.Join("data", "node-3", "data", "redis.conf"), // not a node of this lab
	}
	for _, p := range keep {
		if err := os.MkdirAll(filepath.Dir(dir.Path(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dir.Path(p), []byte("mine"), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	down, err := env.Down(ctx, DownOptions{Volumes: true})
	if err != nil {
		t.Fatal(err)
	}

	var want []string
	for _, s := range res.Lab.Topology.Services() {
		want = append(want, filepath.Join("data", s))
	}
	if !slices.Equal(sorted(down.DeletedData), sorted(want)) {
		t.Errorf("deleted %v, want %v", down.DeletedData, want)
	}
	for _, s := range res.Lab.Topology.Services() {
		if _, err := os.Stat(dir.NodeDir(s)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is still there (%v)", dir.Rel(dir.NodeDir(s)), err)
		}
	}
	for _, p := range keep {
		if _, err := os.Stat(dir.Path(p)); err != nil {
			t.Errorf("down --volumes deleted %s, which is not a node folder of the lab: %v", p, err)
		}
	}
	for _, p := range []string{dir.ComposeFile(), dir.PasswordFile()} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("down --volumes deleted %s: %v", dir.Rel(p), err)
		}
	}
}

func TestDownStopsAtTheEngine(t *testing.T) {
	env := newTestEnv(healthy)
	dir := mkdir(t, newDir(t))
	env.up(t, dir, nil)
	boom := errors.New("cannot remove container")
	env.eng.FailOn("Remove", boom)

	_, err := env.Down(ctx, DownOptions{Volumes: true})

	if !errors.Is(err, boom) {
		t.Errorf("got %v, want the engine's error", err)
	}
	if _, err := os.Stat(dir.NodeDir("master")); err != nil {
		t.Errorf("data deleted although the containers using it could not be removed: %v", err)
	}
	if calls := env.eng.CallsTo("RemoveNetwork"); len(calls) > 0 {
		t.Errorf("removed networks %v under containers still there", calls)
	}
}

// Every container of the lab goes, also a second one of the same service,
// such as one left by `docker compose run master ...`.
func TestDownRemovesEveryContainerOfAService(t *testing.T) {
	env := newTestEnv(healthy)
	dir := mkdir(t, newDir(t))
	res := env.up(t, dir, nil)
	oneoff, err := env.eng.CreateContainer(ctx, engine.ContainerSpec{Name: "alpha-master-run-5d2f", Image: testImage,
		Labels: map[string]string{engine.LabelProject: "alpha", engine.LabelService: "master", engine.LabelOneoff: "True",
			engine.LabelWorkingDir: res.Lab.ComposeDir()},
		Endpoints: []engine.Endpoint{{Network: res.Lab.NetworkName()}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.eng.Start(ctx, oneoff); err != nil {
		t.Fatal(err)
	}

	if _, err := env.Down(ctx, DownOptions{}); err != nil {
		t.Fatal(err)
	}

	if left, _ := env.eng.Containers(ctx, ProjectLabels("alpha")); len(left) > 0 {
		t.Errorf("down left %d containers of the lab: %+v", len(left), left)
	}
}
