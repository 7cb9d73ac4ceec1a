package lab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/image"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
	"github.com/sentinel-lab/sentinel-lab/internal/progress"
)

var ctx = context.Background()

// up runs Up for lab "alpha" in dir under flags and fails the test on error.
func (e *testEnv) up(t *testing.T, dir labdir.Dir, flags map[string]string) *UpResult {
	t.Helper()
	res, err := e.Up(ctx, dir, loadConfig(t, dir, flags), UpOptions{Flags: flags, Timeout: time.Minute})
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	return res
}

func (e *testEnv) find(t *testing.T, service string) engine.Container {
	t.Helper()
	c, ok := e.eng.Find("alpha", service)
	if !ok {
		t.Fatalf("no container for %s", service)
	}
	return c
}

func TestFirstUpCreatesEveryNodeAndWaitsUntilHealthy(t *testing.T) {
	env := newTestEnv(sentinelMissesReplicaFor(3 * time.Second))
	var out bytes.Buffer
	env.Progress = progress.New(&out)
	dir := mkdir(t, newDir(t))

	res := env.up(t, dir, nil)

	topo := res.Lab.Topology
	if got, want := sorted(res.Created), sorted(topo.Services()); !slices.Equal(got, want) {
		t.Errorf("created %v, want every node %v", got, want)
	}
	if res.AlreadyUp || len(res.Started) > 0 || len(res.Recreated) > 0 {
		t.Errorf("first up: already up %v, started %v, recreated %v; want only creations", res.AlreadyUp, res.Started, res.Recreated)
	}
	if !res.Health.Healthy || res.Health.Master.Service != "master" {
		t.Errorf("health %+v, want healthy with master as master", res.Health)
	}
	// Three polls saw sentinel-3 short of a replica, one second apart.
	if res.HealthyAfter != 3*time.Second {
		t.Errorf("healthy after %v, want 3s (three failed polls, 1s apart, on the lab's clock)", res.HealthyAfter)
	}
	if n := strings.Count(out.String(), "waiting: sentinel-3 sees 1 of 2 replicas"); n != 1 {
		t.Errorf("progress shows the condition %d times, want once:\n%s", n, out.String())
	}

	network := res.Lab.NetworkName()
	for _, n := range topo.Nodes {
		c := env.find(t, n.Service)
		if c.State != engine.StateRunning {
			t.Errorf("%s is %s, want running", n.Service, c.State)
		}
		if got := c.Addresses[network]; got != n.Addr.Addr() {
			t.Errorf("%s is at %v on %s, want its static address %v", n.Service, got, network, n.Addr.Addr())
		}
		if c.Labels[engine.LabelRole] != string(n.Role) {
			t.Errorf("%s has role label %q, want %q", n.Service, c.Labels[engine.LabelRole], n.Role)
		}
	}
	nets, _ := env.eng.Networks(ctx)
	if len(nets) != 1 || nets[0].Name != network || !slices.Equal(nets[0].Subnets, []netip.Prefix{topo.Subnet}) ||
		nets[0].Labels[engine.LabelProject] != "alpha" {
		t.Errorf("networks %+v, want %s on %s labelled with project alpha", nets, network, topo.Subnet)
	}
	env.Close()
	if len(env.opened) == 0 || !env.allClosed() {
		t.Errorf("opened %d connections to the nodes; closing the session must close each", len(env.opened))
	}
	for _, p := range []string{dir.ComposeFile(), dir.EnvFile(), dir.PasswordFile()} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("up did not render %s: %v", dir.Rel(p), err)
		}
	}
}

func TestUpOnAHealthyRunningLabDoesNothing(t *testing.T) {
	env := newTestEnv(healthy)
	dir := mkdir(t, newDir(t))
	first := env.up(t, dir, nil)
	env.eng.ResetCalls()

	res := env.up(t, dir, nil)

	if !res.AlreadyUp || len(res.Created)+len(res.Started)+len(res.Recreated) > 0 {
		t.Errorf("second up: already up %v, created %v, started %v, recreated %v; want a no-op",
			res.AlreadyUp, res.Created, res.Started, res.Recreated)
	}
	for _, m := range []string{"CreateNetwork", "CreateContainer", "Start", "Unpause", "Remove"} {
		if calls := env.eng.CallsTo(m); len(calls) > 0 {
			t.Errorf("second up called %s %v", m, calls)
		}
	}
	if !res.Health.Healthy || res.Lab.Topology.Subnet != first.Lab.Topology.Subnet || res.Lab.Password != first.Lab.Password {
		t.Errorf("second up: healthy %v, subnet %v, password kept %v; want the lab as the first up left it",
			res.Health.Healthy, res.Lab.Topology.Subnet, res.Lab.Password == first.Lab.Password)
	}
}

func TestUpOnARunningButUnhealthyLabWaitsWithoutTouchingContainers(t *testing.T) {
	env := newTestEnv(healthy)
	dir := mkdir(t, newDir(t))
	env.up(t, dir, nil)
	env.eng.ResetCalls()
	env.reopen(sentinelMissesReplicaFor(time.Second))

	res := env.up(t, dir, nil)

	if res.AlreadyUp {
		t.Error("a lab that was not healthy is reported as already up")
	}
	if !res.Health.Healthy || env.polls() != 3 {
		t.Errorf("healthy %v after %d polls; want it to wait for health (1 check + 2 polls)", res.Health.Healthy, env.polls())
	}
	if calls := env.eng.CallsTo("CreateContainer"); len(calls) > 0 {
		t.Errorf("created %v on a running lab", calls)
	}
}

// A second up starts, unpauses or recreates only the nodes that need it.
func TestUpRepairsOnlyWhatIsNeeded(t *testing.T) {
	cases := []struct {
		name string
		// change alters the running lab and returns the flags of the next up.
		change        func(t *testing.T, env *testEnv, dir labdir.Dir) map[string]string
		created       []string
		started       []string
		recreated     []string
		calls         map[string][]string
		sameContainer []string
	}{
		{
			name: "a stopped node and a removed one",
			change: func(t *testing.T, env *testEnv, _ labdir.Dir) map[string]string {
				env.eng.SetState(env.find(t, "node-1").ID, engine.StateExited)
				if err := env.eng.Remove(ctx, env.find(t, "sentinel-3").ID); err != nil {
					t.Fatal(err)
				}
				return nil
			},
			created: []string{"sentinel-3"},
			started: []string{"node-1"},
			calls: map[string][]string{
				"CreateContainer": {"sentinel-3"}, "Start": {"node-1", "sentinel-3"}, "Remove": nil, "Unpause": nil,
			},
			sameContainer: []string{"node-1", "master"},
		},
		{
			name: "a paused master",
			change: func(t *testing.T, env *testEnv, _ labdir.Dir) map[string]string {
				env.eng.SetState(env.find(t, "master").ID, engine.StatePaused)
				return nil
			},
			started: []string{"master"},
			calls: map[string][]string{
				"Unpause": {"master"}, "Start": nil, "CreateContainer": nil, "Remove": nil,
			},
			sameContainer: []string{"master"},
		},
		{
			name: "a node whose service the override file changes",
			change: func(t *testing.T, env *testEnv, dir labdir.Dir) map[string]string {
				override := "services:\n  node-2:\n    environment:\n      EXTRA: \"1\"\n"
				if err := os.WriteFile(dir.OverrideFile(), []byte(override), 0o644); err != nil {
					t.Fatal(err)
				}
				return nil
			},
			recreated: []string{"node-2"},
			calls: map[string][]string{
				"Remove": {"node-2"}, "CreateContainer": {"node-2"}, "Start": {"node-2"}, "Unpause": nil,
			},
			sameContainer: []string{"master", "node-1", "sentinel-1"},
		},
		{
			name: "every node after the image changed",
			change: func(t *testing.T, env *testEnv, dir labdir.Dir) map[string]string {
				env.eng.PullImage(ctx, "redis:7.4", nil)
				return map[string]string{"image": "redis:7.4"}
			},
			recreated: []string{"master", "node-1", "node-2", "sentinel-1", "sentinel-2", "sentinel-3"},
			calls: map[string][]string{
				"Remove": {"master", "node-1", "node-2", "sentinel-1", "sentinel-2", "sentinel-3"}, "Unpause": nil,
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := newTestEnv(healthy)
			dir := mkdir(t, newDir(t))
			env.up(t, dir, nil)
			before := map[string]string{}
			for _, s := range []string{"master", "node-1", "node-2", "sentinel-1", "sentinel-2", "sentinel-3"} {
				before[s] = env.find(t, s).ID
			}
			flags := c.change(t, env, dir)
			env.eng.ResetCalls()

			res := env.up(t, dir, flags)

			for _, l := range []struct {
				what      string
				got, want []string
			}{{"created", res.Created, c.created}, {"started", res.Started, c.started}, {"recreated", res.Recreated, c.recreated}} {
				if !slices.Equal(sorted(l.got), l.want) {
					t.Errorf("%s %v, want %v", l.what, sorted(l.got), l.want)
				}
			}
			for method, want := range c.calls {
				if got := env.eng.CallsTo(method); !slices.Equal(got, want) {
					t.Errorf("%s called for %v, want %v", method, got, want)
				}
			}
			for _, s := range c.sameContainer {
				if got := env.find(t, s).ID; got != before[s] {
					t.Errorf("%s was replaced (%s -> %s), want it kept", s, before[s], got)
				}
			}
			for _, s := range c.recreated {
				if got := env.find(t, s).ID; got == before[s] {
					t.Errorf("%s kept container %s, want a new one", s, got)
				}
			}
			for _, n := range res.Lab.Topology.Nodes {
				if st := env.find(t, n.Service).State; st != engine.StateRunning {
					t.Errorf("%s is %s after up, want running", n.Service, st)
				}
			}
		})
	}
}

func TestUpFailsFastWithTheLogsOfANodeThatExits(t *testing.T) {
	env := newTestEnv(healthy)
	logs := "1:X 01 Jan 00:00:00.000 # Configuration loaded\n" +
		"*** FATAL CONFIG FILE ERROR (Redis 7.2.4) ***\n" +
		">>> 'sentinel monitor redis-master 172.28.5.10 6379 4'\n" +
		"Quorum must be 1 or greater.\n"
	env.eng.ExitOnStart("sentinel-2", logs)
	dir := mkdir(t, newDir(t))

	_, err := env.Up(ctx, dir, loadConfig(t, dir, nil), UpOptions{Timeout: time.Hour})

	var ex *ExitedError
	if !errors.As(err, &ex) {
		t.Fatalf("got %v, want an ExitedError", err)
	}
	if ex.Service != "sentinel-2" || ex.State != engine.StateExited {
		t.Errorf("exited %s (%s), want sentinel-2 (exited)", ex.Service, ex.State)
	}
	if !strings.Contains(err.Error(), "    Quorum must be 1 or greater.") || !strings.Contains(err.Error(), "FATAL CONFIG FILE ERROR") {
		t.Errorf("error does not show the container's last lines, indented:\n%v", err)
	}
	if env.clock.Waits() != 0 || env.polls() != 0 {
		t.Errorf("waited %d intervals and polled %d times; an exited node must fail the wait at once", env.clock.Waits(), env.polls())
	}
}

// The fallback when a node printed nothing: its log file, last lines only.
// A service the user added (not a lab node) that exits is none of up's
// business.
func TestExitedNodeShowsTheEndOfItsLogFile(t *testing.T) {
	env := newTestEnv(healthy)
	dir := mkdir(t, newDir(t))
	env.up(t, dir, nil)

	other, err := env.eng.CreateContainer(ctx, engine.ContainerSpec{Name: "alpha-app-1", Image: testImage,
		Labels: map[string]string{engine.LabelProject: "alpha", engine.LabelService: "app"}})
	if err != nil {
		t.Fatal(err)
	}
	env.eng.SetState(other, engine.StateExited)
	env.eng.SetLogs(other, "app crashed\n")
	if err := env.checkNoneExited(ctx); err != nil {
		t.Fatalf("an exited service that is not a lab node fails the wait: %v", err)
	}

	s1 := env.find(t, "sentinel-1").ID
	env.eng.SetState(s1, engine.StateExited)
	var file strings.Builder
	for i := 1; i <= 20; i++ {
		fmt.Fprintf(&file, "log line %d\n", i)
	}
	env.eng.SetFile(s1, "/logs/sentinel.log", []byte(file.String()))

	err = env.checkNoneExited(ctx)
	var ex *ExitedError
	if !errors.As(err, &ex) || ex.Service != "sentinel-1" {
		t.Fatalf("got %v, want sentinel-1 exited", err)
	}
	if !strings.HasPrefix(ex.Logs, "log line 6\n") || !strings.HasSuffix(ex.Logs, "log line 20") {
		t.Errorf("logs %q, want the last 15 lines of /logs/sentinel.log", ex.Logs)
	}
}

func TestUpTimeoutNamesWhatDidNotHold(t *testing.T) {
	env := newTestEnv(sentinelMissesReplicaFor(time.Hour))
	dir := mkdir(t, newDir(t))

	res, err := env.Up(ctx, dir, loadConfig(t, dir, nil), UpOptions{Timeout: 5 * time.Second})

	if err == nil {
		t.Fatal("up succeeded on a lab that never became healthy")
	}
	for _, want := range []string{"not healthy after 5s", "--timeout", "sentinel-3 sees 1 of 2 replicas"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if res == nil || res.Health.Healthy || len(res.Health.Problems) != 1 {
		t.Errorf("result %+v, want the last unhealthy verdict", res)
	}
	if env.clock.Waits() != 5 {
		t.Errorf("waited %d intervals of 1s, want 5 (the timeout)", env.clock.Waits())
	}
}

func TestUpWritesNothingWhenTheEngineDoesNotAnswer(t *testing.T) {
	env := newTestEnv(healthy)
	down := errors.New("no Docker daemon answers at unix:///var/run/docker.sock")
	env.eng.FailOn("Ping", down)
	dir := mkdir(t, newDir(t))

	_, err := env.Up(ctx, dir, loadConfig(t, dir, nil), UpOptions{Timeout: time.Minute})

	if !errors.Is(err, down) {
		t.Errorf("got %v, want the engine's error", err)
	}
	if files := listTree(t, dir.Root); len(files) > 0 {
		t.Errorf("up wrote %v without an engine", files)
	}
}

func TestUpWritesNothingWhenTheImageCannotBeHad(t *testing.T) {
	env := newTestEnv(healthy)
	env.eng.FailOn("PullImage", errors.New("manifest unknown"))
	dir := mkdir(t, newDir(t))

	_, err := env.Up(ctx, dir, loadConfig(t, dir, map[string]string{"image": "redis:does-not-exist"}), UpOptions{Timeout: time.Minute})

	if err == nil || !strings.Contains(err.Error(), "redis:does-not-exist is not on this machine and cannot be pulled") {
		t.Errorf("got %v, want an error naming the image that cannot be pulled", err)
	}
	if files := listTree(t, dir.Root); len(files) > 0 {
		t.Errorf("up wrote %v without an image", files)
	}
}

func TestUpPullsAMissingImage(t *testing.T) {
	env := newTestEnv(healthy)
	dir := mkdir(t, newDir(t))

	res := env.up(t, dir, map[string]string{"image": "valkey/valkey:8"})

	if res.Image.Source != image.Pulled || res.Image.Ref != "valkey/valkey:8" {
		t.Errorf("image %+v, want valkey/valkey:8 pulled", res.Image)
	}
	if c := env.find(t, "master"); c.Image != "valkey/valkey:8" {
		t.Errorf("master runs %s, want the pulled image", c.Image)
	}
}

func TestUpRefusesANameUsedByALabInAnotherDirectory(t *testing.T) {
	env := newTestEnv(healthy)
	_, err := env.eng.CreateContainer(ctx, engine.ContainerSpec{Name: "alpha-master-1", Image: testImage, Labels: map[string]string{
		engine.LabelProject: "alpha", engine.LabelService: "master", engine.LabelWorkingDir: "/home/ann/other-lab/compose",
	}})
	if err != nil {
		t.Fatal(err)
	}
	dir := mkdir(t, newDir(t))

	_, err = env.Up(ctx, dir, loadConfig(t, dir, nil), UpOptions{Timeout: time.Minute})

	var taken *NameTakenError
	if !errors.As(err, &taken) {
		t.Fatalf("got %v, want a NameTakenError", err)
	}
	if taken.Name != "alpha" || taken.OtherDir != "/home/ann/other-lab" || !taken.IsUsage() {
		t.Errorf("got %+v (usage %v), want alpha used in /home/ann/other-lab, a usage error", taken, taken.IsUsage())
	}
	if !strings.Contains(err.Error(), "--name") {
		t.Errorf("error %q does not say how to fix it", err)
	}
	if files := listTree(t, dir.Root); len(files) > 0 {
		t.Errorf("up wrote %v for a name in use", files)
	}
}

// An automatic subnet avoids networks in use; a remembered one that some
// other network now overlaps is refused with the fix.
func TestUpSubnetAvoidsOtherNetworks(t *testing.T) {
	env := newTestEnv(healthy)
	first, err := chooseSubnet("alpha", nil)
	if err != nil {
		t.Fatal(err)
	}
	env.eng.AddNetwork(engine.Network{Name: "someone-else", Subnets: []netip.Prefix{first}})
	dir := mkdir(t, newDir(t))

	res := env.up(t, dir, nil)
	chosen := res.Lab.Topology.Subnet
	if chosen.Overlaps(first) {
		t.Fatalf("chose %v, which the other network uses", chosen)
	}
	if _, err := env.Down(ctx, DownOptions{}); err != nil {
		t.Fatal(err)
	}

	env.eng.AddNetwork(engine.Network{Name: "late-comer", Subnets: []netip.Prefix{mustPrefix(chosen.Addr().String() + "/16").Masked()},
		Labels: map[string]string{engine.LabelProject: "beta"}})
	_, err = env.Up(ctx, dir, loadConfig(t, dir, nil), UpOptions{Timeout: time.Minute})
	if err == nil || !strings.Contains(err.Error(), "overlaps network late-comer") || !strings.Contains(err.Error(), "--subnet") {
		t.Errorf("got %v, want the overlap named with the fix", err)
	}
}

func TestUpRefusesALabNetworkWithAnotherSubnet(t *testing.T) {
	env := newTestEnv(healthy)
	dir := mkdir(t, newDir(t))
	cfg := loadConfig(t, dir, map[string]string{"subnet": "172.28.5.0/24"})
	env.eng.AddNetwork(engine.Network{Name: "alpha_lab", Subnets: []netip.Prefix{mustPrefix("10.9.0.0/24")},
		Labels: map[string]string{engine.LabelProject: "alpha"}})

	_, err := env.Up(ctx, dir, cfg, UpOptions{Timeout: time.Minute})

	if err == nil || !strings.Contains(err.Error(), "alpha_lab exists with subnet [10.9.0.0/24], not 172.28.5.0/24") {
		t.Errorf("got %v, want the mismatched lab network named", err)
	}
	// The look at the image's server version runs without a network.
	if calls := slices.DeleteFunc(env.eng.CallsTo("CreateContainer"), func(c string) bool { return strings.Contains(c, "-server-version-") }); len(calls) > 0 {
		t.Errorf("created %v on the wrong network", calls)
	}
}

// A failed up removes what it created, so nothing is left half-created,
// and says so.
func TestUpFailureRemovesWhatItCreated(t *testing.T) {
	env := newTestEnv(healthy)
	dir := mkdir(t, newDir(t))
	env.eng.FailStart("node-1", errors.New("port is already allocated"))

	_, err := env.Up(ctx, dir, loadConfig(t, dir, nil), UpOptions{Timeout: time.Minute})
	var rb *RolledBackError
	if !errors.As(err, &rb) || !strings.Contains(err.Error(), "node-1: port is already allocated") ||
		!strings.Contains(err.Error(), "removed the 6 containers and 1 networks this up created") {
		t.Fatalf("got %v, want node-1's start failure and the rollback", err)
	}
	if list, _ := env.eng.Containers(ctx, nil); len(list) > 0 {
		t.Errorf("%d containers left after a failed up", len(list))
	}
	if nets, _ := env.eng.Networks(ctx); len(nets) > 0 {
		t.Errorf("networks left after a failed up: %v", nets)
	}
}

// With --retain a failed up keeps what it made; the containers carry the
// lab's labels, so the next up completes the lab without creating them twice.
func TestUpWithRetainThenUpCompletesTheLab(t *testing.T) {
	env := newTestEnv(healthy)
	dir := mkdir(t, newDir(t))
	env.eng.FailStart("node-1", errors.New("port is already allocated"))

	_, err := env.Up(ctx, dir, loadConfig(t, dir, nil), UpOptions{Timeout: time.Minute, Retain: true})
	if err == nil || !strings.Contains(err.Error(), "node-1: port is already allocated") || strings.Contains(err.Error(), "removed") {
		t.Fatalf("got %v, want node-1's start failure and nothing removed", err)
	}

	env.eng.FailStart("node-1", nil)
	env.eng.ResetCalls()
	res := env.up(t, dir, nil)
	if !slices.Equal(res.Started, []string{"node-1"}) || len(res.Created) > 0 {
		t.Errorf("second up created %v and started %v; want only node-1 started", res.Created, res.Started)
	}
	if c := env.eng.CallsTo("CreateNetwork"); len(c) > 0 {
		t.Errorf("second up created network %v again", c)
	}
}

func TestUpRefusesComposeFilesThatDropANode(t *testing.T) {
	env := newTestEnv(healthy)
	dir := mkdir(t, newDir(t))
	env.up(t, dir, nil)
	b, err := os.ReadFile(dir.ComposeFile())
	if err != nil {
		t.Fatal(err)
	}
	// A hand edit renames node-2's service: the lab would lose a replica.
	edited := strings.Replace(string(b), "  node-2:\n", "  extra:\n", 1)
	if edited == string(b) {
		t.Fatal("the compose file has no node-2 service to edit")
	}
	if err := os.WriteFile(dir.ComposeFile(), []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}

	_, err = env.Up(ctx, dir, loadConfig(t, dir, nil), UpOptions{Timeout: time.Minute})
	if err == nil || !strings.Contains(err.Error(), "compose/docker-compose.yml does not define node-2") {
		t.Errorf("got %v, want the dropped node named", err)
	}
}

// A one-off container of a service (`docker compose run master redis-cli`)
// is not the service's container: up leaves it alone.
func TestUpIgnoresOneOffContainers(t *testing.T) {
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
	env.eng.ResetCalls()

	again := env.up(t, dir, nil)

	if !again.AlreadyUp || len(env.eng.CallsTo("Remove")) > 0 {
		t.Errorf("already up %v, removed %v; want the lab left as it is", again.AlreadyUp, env.eng.CallsTo("Remove"))
	}
}

// A one-off container that exited (`docker compose run master redis-cli
// ping`, without --rm) is not a lab node stopping during up.
func TestUpWaitIgnoresExitedOneOffContainers(t *testing.T) {
	env := newTestEnv(healthy)
	dir := mkdir(t, newDir(t))
	res := env.up(t, dir, nil)
	oneoff, err := env.eng.CreateContainer(ctx, engine.ContainerSpec{Name: "alpha-master-run-5d2f", Image: testImage,
		Labels: map[string]string{engine.LabelProject: "alpha", engine.LabelService: "master", engine.LabelOneoff: "True",
			engine.LabelWorkingDir: res.Lab.ComposeDir()}})
	if err != nil {
		t.Fatal(err)
	}
	env.eng.SetState(oneoff, engine.StateExited)
	env.eng.SetLogs(oneoff, "PONG\n")
	env.eng.SetState(env.find(t, "node-1").ID, engine.StateExited)

	again, err := env.Up(ctx, dir, loadConfig(t, dir, nil), UpOptions{Timeout: time.Minute})

	if err != nil {
		t.Fatalf("up: %v", err)
	}
	if !slices.Equal(again.Started, []string{"node-1"}) {
		t.Errorf("started %v, want node-1", again.Started)
	}
}

// A service the user adds in the override file is started with the lab,
// on an external network of theirs, which up requires and down leaves.
func TestUpStartsTheOverridesServices(t *testing.T) {
	env := newTestEnv(healthy)
	env.eng.PullImage(ctx, "busybox", nil)
	dir := mkdir(t, newDir(t))
	if err := os.MkdirAll(dir.Path("compose"), 0o755); err != nil {
		t.Fatal(err)
	}
	override := "services:\n  app:\n    image: busybox\n    networks: [lab, corp]\n" +
		"networks:\n  corp:\n    external: true\n    name: corp-net\n"
	if err := os.WriteFile(dir.OverrideFile(), []byte(override), 0o644); err != nil {
		t.Fatal(err)
	}

	_, err := env.Up(ctx, dir, loadConfig(t, dir, nil), UpOptions{Timeout: time.Minute})
	if err == nil || !strings.Contains(err.Error(), "external network corp-net does not exist") {
		t.Fatalf("got %v, want the missing external network named", err)
	}
	if calls := env.eng.CallsTo("CreateNetwork"); slices.Contains(calls, "corp-net") {
		t.Errorf("up created the external network")
	}

	env.eng.AddNetwork(engine.Network{Name: "corp-net", Subnets: []netip.Prefix{mustPrefix("10.50.0.0/24")}})
	res := env.up(t, dir, nil)
	if !slices.Contains(res.Created, "app") {
		t.Errorf("created %v, want app too", res.Created)
	}
	app := env.find(t, "app")
	if _, on := app.Addresses["corp-net"]; !on || app.State != engine.StateRunning {
		t.Errorf("app %+v, want it running on corp-net", app)
	}

	down, err := env.Down(ctx, DownOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(down.Containers, "app") || slices.Contains(down.Networks, "corp-net") {
		t.Errorf("down removed %v and networks %v; want app removed and corp-net kept", down.Containers, down.Networks)
	}
}

// A container that goes away between up's list and its start (the daemon
// rolling back another up's cut-short create) is created again, and the
// lab comes up.
func TestUpCreatesAgainAContainerThatVanished(t *testing.T) {
	env := newTestEnv(healthy)
	dir := mkdir(t, newDir(t))
	env.up(t, dir, nil)
	c := env.find(t, "node-1")
	env.eng.SetState(c.ID, engine.StateCreated)
	env.eng.VanishOnStart("node-1")

	res := env.up(t, dir, nil)

	if after := env.find(t, "node-1"); after.ID == c.ID || after.State != engine.StateRunning {
		t.Errorf("node-1 is %s (%s), want a new running container", after.State, after.ID)
	}
	if !slices.Equal(res.Started, []string{"node-1"}) || !res.Health.Healthy {
		t.Errorf("second up started %v, healthy %v", res.Started, res.Health.Healthy)
	}
}

// Ctrl-C during up does not cut an engine call short: the container being
// made is made whole, and not started; the next up starts it.
func TestInterruptDoesNotCutAContainersCreateShort(t *testing.T) {
	env := newTestEnv(healthy)
	dir := mkdir(t, newDir(t))
	env.up(t, dir, nil)
	old := env.find(t, "node-1")
	a := action{kind: actCreate, plan: ServicePlan{Service: "node-1", Spec: env.eng.Spec(old.ID), Hash: old.Labels[engine.LabelSpecHash]}}
	if err := env.eng.Remove(ctx, old.ID); err != nil {
		t.Fatal(err)
	}
	interrupted, cancel := context.WithCancel(ctx)
	cancel()

	err := env.applyOne(interrupted, a, &made{})

	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want the interrupt", err)
	}
	if c, ok := env.eng.Find("alpha", "node-1"); !ok || c.State != engine.StateCreated {
		t.Errorf("node-1 after an interrupted create: %+v (found %v); want it made, not started", c, ok)
	}
}
