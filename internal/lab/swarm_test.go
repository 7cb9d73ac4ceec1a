package lab

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

var swarmFlags = map[string]string{"engine": "swarm"}

func TestSwarmUpRefusedOffASwarmCreatingNothing(t *testing.T) {
	for _, tc := range []struct {
		info engine.SwarmInfo
		want string
	}{
		{engine.SwarmInfo{State: engine.SwarmInactive}, "this engine is not in a swarm: run `docker swarm init`"},
		{engine.SwarmInfo{State: engine.SwarmActive}, "this engine is a swarm worker"},
	} {
		env := newTestEnv(healthy)
		env.eng.SetSwarmInfo(tc.info)
		dir := mkdir(t, newDir(t))

		_, err := env.Up(ctx, dir, loadConfig(t, dir, swarmFlags), UpOptions{Flags: swarmFlags, Timeout: time.Minute})

		if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, engine.ErrNotSwarmManager) {
			t.Errorf("%s: error %v, want %q", tc.info.State, err, tc.want)
		}
		for _, m := range []string{"CreateNetwork", "CreateService", "CreateContainer"} {
			if calls := env.eng.CallsTo(m); len(calls) > 0 {
				t.Errorf("%s: called %s %v", tc.info.State, m, calls)
			}
		}
		if got := listTree(t, dir.Root); len(got) > 0 {
			t.Errorf("%s: wrote %v", tc.info.State, got)
		}
	}
}

func TestSwarmUpMakesOneServicePerNodeOnAnOverlay(t *testing.T) {
	env := newTestEnv(healthy)
	env.eng.JoinSwarm()
	dir := mkdir(t, newDir(t))

	res := env.up(t, dir, swarmFlags)

	if !res.Health.Healthy || len(res.Created) != 6 {
		t.Fatalf("healthy %v, created %v; want the 6 nodes", res.Health.Healthy, res.Created)
	}
	for _, c := range env.eng.CallsTo("CreateContainer") {
		if _, isNode := res.Lab.Topology.Node(c); isNode {
			t.Errorf("created container %s; a swarm lab's nodes are services", c)
		}
	}
	nets, _ := env.eng.Networks(ctx)
	if len(nets) != 1 || !nets[0].Overlay || nets[0].Name != "alpha_lab" {
		t.Errorf("networks %+v; want the overlay alpha_lab", nets)
	}
	spec, ok := env.eng.ServiceSpec("alpha_sentinel-1")
	if !ok {
		t.Fatal("no service alpha_sentinel-1")
	}
	c := spec.Container
	if spec.Network != "alpha_lab" || spec.Replicas != 1 || c.Hostname != "sentinel-1" || len(c.Endpoints) > 0 {
		t.Errorf("service: network %q, replicas %d, hostname %q, endpoints %v", spec.Network, spec.Replicas, c.Hostname, c.Endpoints)
	}
	if !slices.Equal(spec.DNSOptions, []string{"timeout:1", "attempts:1"}) {
		t.Errorf("dns options %v; want a lookup of a stopped node's name bounded below the TILT trigger", spec.DNSOptions)
	}
	if !slices.Equal(spec.Aliases, []string{"sentinel-1"}) || len(c.ExtraHosts) > 0 {
		t.Errorf("aliases %v, hosts-file lines %v; want the announced name through the swarm's DNS only", spec.Aliases, c.ExtraHosts)
	}
	if !c.ReadOnly || !reflect.DeepEqual(c.CapDrop, []string{"ALL"}) || c.User != "1000:1000" {
		t.Errorf("security: read-only %v, cap_drop %v, user %q; want the lab container's", c.ReadOnly, c.CapDrop, c.User)
	}
	for _, labels := range []map[string]string{spec.Labels, c.Labels} {
		if labels[engine.LabelStackNamespace] != "alpha" || labels[engine.LabelProject] != "alpha" || labels[engine.LabelService] != "sentinel-1" {
			t.Errorf("labels %v; want the stack namespace and the compose labels", labels)
		}
	}
	// The task containers are found as the lab's containers are.
	containers, err := env.Containers(ctx)
	if err != nil || len(containers) != 6 || containers["master"].State != engine.StateRunning {
		t.Errorf("containers %v (%v); want the 6 running task containers", containers, err)
	}
	again := env.up(t, dir, swarmFlags)
	if !again.AlreadyUp || len(env.eng.CallsTo("CreateService")) != 6 {
		t.Errorf("second up: already up %v, services created %v", again.AlreadyUp, env.eng.CallsTo("CreateService"))
	}
}

func TestSwarmKilledNodeComesBackAsANewTask(t *testing.T) {
	env := newTestEnv(healthy)
	env.eng.JoinSwarm()
	dir := mkdir(t, newDir(t))
	env.up(t, dir, swarmFlags)
	old := env.find(t, "master")
	if err := env.eng.Kill(ctx, old.ID, "SIGKILL"); err != nil {
		t.Fatal(err)
	}
	if got, _ := env.Containers(ctx); got["master"].State != engine.StateExited {
		t.Fatalf("killed master is %s; a swarm lab does not restart a killed node", got["master"].State)
	}

	if err := env.StartNode(ctx, "master", old); err != nil {
		t.Fatal(err)
	}

	got, _ := env.Containers(ctx)
	if c := got["master"]; c.ID == old.ID || c.State != engine.StateRunning {
		t.Errorf("master after start: %s %s; want a new running task container", c.ID, c.State)
	}
	if calls := env.eng.CallsTo("RestartService"); !slices.Equal(calls, []string{"alpha_master"}) {
		t.Errorf("restarted %v", calls)
	}
}

func TestSwarmStopScalesToZeroAndUpScalesBack(t *testing.T) {
	env := newTestEnv(healthy)
	env.eng.JoinSwarm()
	dir := mkdir(t, newDir(t))
	env.up(t, dir, swarmFlags)

	if err := env.StopNode(ctx, "node-1"); err != nil {
		t.Fatal(err)
	}
	if got, _ := env.Containers(ctx); got["node-1"].ID != "" {
		t.Fatalf("node-1 scaled to 0 still has container %v", got["node-1"])
	}
	res := env.up(t, dir, swarmFlags)

	if !slices.Equal(res.Started, []string{"node-1"}) || !slices.Equal(env.eng.CallsTo("ScaleService"), []string{"alpha_node-1", "alpha_node-1"}) {
		t.Errorf("started %v, scaled %v; want node-1 scaled to 0 then back to 1", res.Started, env.eng.CallsTo("ScaleService"))
	}
}

func TestSwarmDownRemovesServicesThenTheNetwork(t *testing.T) {
	env := newTestEnv(healthy)
	env.eng.JoinSwarm()
	dir := mkdir(t, newDir(t))
	env.up(t, dir, swarmFlags)
	env.eng.ResetCalls()

	res, err := env.Down(ctx, DownOptions{})

	if err != nil {
		t.Fatal(err)
	}
	if len(res.Containers) != 6 || !slices.Equal(res.Networks, []string{"alpha_lab"}) {
		t.Errorf("removed %v and networks %v", res.Containers, res.Networks)
	}
	removed := env.eng.CallsTo("RemoveService")
	if len(removed) != 6 {
		t.Errorf("removed services %v", removed)
	}
	calls := env.eng.Calls()
	firstData := slices.Index(calls, "RemoveService alpha_master")
	for _, s := range []string{"sentinel-1", "sentinel-2", "sentinel-3"} {
		if i := slices.Index(calls, "RemoveService alpha_"+s); i < 0 || i > firstData {
			t.Errorf("%s removed at %d, the master at %d; want the sentinels first", s, i, firstData)
		}
	}
	if left, _ := env.eng.Services(ctx, nil); len(left) > 0 {
		t.Errorf("services left: %v", left)
	}
}

func TestSwarmUpRollsBackItsServicesWhenATaskIsRejected(t *testing.T) {
	env := newTestEnv(healthy)
	env.eng.JoinSwarm()
	env.eng.FailOn("Tasks", errors.New("task rejected: bind source path does not exist"))
	dir := mkdir(t, newDir(t))

	_, err := env.Up(ctx, dir, loadConfig(t, dir, swarmFlags), UpOptions{Flags: swarmFlags, Timeout: time.Minute})

	var rb *RolledBackError
	if !errors.As(err, &rb) || !strings.Contains(err.Error(), "bind source path does not exist") {
		t.Fatalf("error %v; want the task's failure, rolled back", err)
	}
	if left, _ := env.eng.Services(ctx, nil); len(left) > 0 {
		t.Errorf("services left after a failed up: %v", left)
	}
	if nets, _ := env.eng.Networks(ctx); len(nets) > 0 {
		t.Errorf("networks left after a failed up: %v", nets)
	}
}

func TestPlaceNodesSpreadsOverHosts(t *testing.T) {
	cfg := &config.Config{Name: "alpha", Replicas: 2, Sentinels: 3}
	lab := topology.New(cfg, mustPrefix("172.28.5.0/24"))
	hosts := func(names ...string) []engine.SwarmNode {
		var out []engine.SwarmNode
		for _, n := range names {
			out = append(out, engine.SwarmNode{ID: "id-" + n, Hostname: n, Ready: true})
		}
		return out
	}
	spread := config.Placement{Mode: config.PlacementSpread}
	for _, tc := range []struct {
		name  string
		hosts []engine.SwarmNode
		p     config.Placement
		want  map[string]string // service -> host
		notes int
	}{
		{"one host: nothing to choose", hosts("a"), spread,
			map[string]string{"master": "", "node-1": "", "node-2": "", "sentinel-1": "", "sentinel-2": "", "sentinel-3": ""}, 0},
		{"three boxes", hosts("a", "b", "c"), spread,
			map[string]string{"master": "a", "node-1": "b", "node-2": "c", "sentinel-1": "a", "sentinel-2": "b", "sentinel-3": "c"}, 0},
		{"two boxes: replicas apart from the master, sentinels share", hosts("a", "b"), spread,
			map[string]string{"master": "a", "node-1": "b", "node-2": "b", "sentinel-1": "a", "sentinel-2": "b", "sentinel-3": "a"}, 1},
		{"any", hosts("a", "b", "c"), config.Placement{Mode: config.PlacementAny},
			map[string]string{"master": "", "node-1": "", "node-2": "", "sentinel-1": "", "sentinel-2": "", "sentinel-3": ""}, 0},
	} {
		got, notes := PlaceNodes(lab, tc.p, tc.hosts)
		for service, host := range tc.want {
			p := got[service]
			if p.Host != host || (host != "" && !slices.Equal(p.Constraints, []string{"node.id==id-" + host})) {
				t.Errorf("%s: %s placed %+v, want host %q", tc.name, service, p, host)
			}
		}
		if len(notes) != tc.notes {
			t.Errorf("%s: notes %v", tc.name, notes)
		}
	}
	own := config.Placement{Mode: config.PlacementSpread, Constraints: map[string][]string{"master": {"node.labels.disk==ssd"}}}
	got, _ := PlaceNodes(lab, own, hosts("a", "b", "c"))
	if !slices.Equal(got["master"].Constraints, []string{"node.labels.disk==ssd"}) || got["node-1"].Host != "b" {
		t.Errorf("a constraint of the user: master %+v, node-1 %+v", got["master"], got["node-1"])
	}
}

func TestSwarmUpRefusedWhileTheLabRunsAsContainers(t *testing.T) {
	env := newTestEnv(healthy)
	env.eng.JoinSwarm()
	dir := mkdir(t, newDir(t))
	env.up(t, dir, nil)
	env.eng.ResetCalls()

	_, err := env.Up(ctx, dir, loadConfig(t, dir, swarmFlags), UpOptions{Flags: swarmFlags, Timeout: time.Minute})

	if err == nil || !strings.Contains(err.Error(), "engine swarm") || !strings.Contains(err.Error(), "sentinel-lab down --volumes") ||
		!strings.Contains(err.Error(), "keep --engine docker") {
		t.Errorf("error %v; want the move to the swarm refused for the confs rendered with ip, with down --volumes as the fix", err)
	}
	if calls := env.eng.CallsTo("CreateService"); len(calls) > 0 {
		t.Errorf("created services %v beside the containers", calls)
	}
}

func TestSwarmStatusNamesNodesOnOtherHosts(t *testing.T) {
	env := newTestEnv(healthy)
	env.eng.JoinSwarm("a", "b", "c")
	dir := mkdir(t, newDir(t))
	res := env.up(t, dir, swarmFlags)
	if !res.Health.Healthy {
		t.Fatal("not healthy")
	}

	r, err := env.Status(ctx)

	if err != nil {
		t.Fatal(err)
	}
	// Spread over three hosts: host a runs the master and sentinel-1.
	var remote []string
	for _, p := range r.Problems {
		if strings.Contains(p, "runs on swarm host") {
			remote = append(remote, strings.Fields(p)[0])
		}
	}
	if !slices.Equal(remote, []string{"node-1", "node-2", "sentinel-2", "sentinel-3"}) {
		t.Errorf("nodes named as on other hosts: %v; problems: %v", remote, r.Problems)
	}
}

func TestSwarmPlacementOfANodeTheLabHasNotIsRefused(t *testing.T) {
	env := newTestEnv(healthy)
	env.eng.JoinSwarm()
	dir := mkdir(t, newDir(t))
	flags := map[string]string{"engine": "swarm", "placement": "sentnel-1=node.hostname==b"}

	_, err := env.Up(ctx, dir, loadConfig(t, dir, flags), UpOptions{Flags: flags, Timeout: time.Minute})

	if err == nil || !strings.Contains(err.Error(), `placement names "sentnel-1", which is not a node of this lab`) {
		t.Errorf("error %v", err)
	}
	if calls := env.eng.CallsTo("CreateService"); len(calls) > 0 {
		t.Errorf("created %v", calls)
	}
	if got := listTree(t, dir.Root); len(got) > 0 {
		t.Errorf("wrote %v", got)
	}
}
