package e2e

// The catalogue of bad input, faults and secure defaults (issue 6): each
// case gets a clear error naming the problem and the fix, a non-zero exit,
// nothing left half-created and nothing of the user's lost.

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sentinel-lab/sentinel-lab/internal/app"
	"github.com/sentinel-lab/sentinel-lab/internal/cli"
	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
)

// runIn runs one command line with dir as the lab directory.
func runIn(dir string, args ...string) result {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	code := app.Run(ctx, append([]string{"--dir", dir}, args...), cli.Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func expectFailure(t *testing.T, r result, code int, wants ...string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit code %d, want %d\nstdout: %s\nstderr: %s", r.code, code, r.stdout, r.stderr)
	}
	for _, w := range wants {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("error does not say %q:\n%s", w, r.stderr)
		}
	}
}

func entries(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err == nil && p != dir {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}

// Docker not reachable: one line saying which, before anything is written.
func TestDockerNotReachable(t *testing.T) {
	for _, c := range []struct{ host, want string }{
		{"unix:///nonexistent/docker.sock", "no Docker daemon answers at unix:///nonexistent/docker.sock (from DOCKER_HOST)"},
		{"tcp://127.0.0.1:1", "no Docker daemon answers at tcp://127.0.0.1:1 (from DOCKER_HOST)"},
	} {
		t.Run(c.host, func(t *testing.T) {
			t.Setenv("DOCKER_HOST", c.host)
			dir := t.TempDir()
			r := runIn(dir, "up")
			expectFailure(t, r, 1, c.want, "fix DOCKER_HOST")
			if lines := strings.Count(strings.TrimSpace(r.stderr), "\n"); lines > 0 {
				t.Errorf("want one line, got:\n%s", r.stderr)
			}
			if e := entries(t, dir); len(e) > 0 {
				t.Errorf("up wrote %v without a daemon", e)
			}
		})
	}
}

// asNobody runs the built binary as an unprivileged user.
func asNobody(t *testing.T, dir string, args ...string) result {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("running as another user needs root")
	}
	cmd := exec.Command(binary(t), append([]string{"--dir", dir}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=/nonexistent"}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// sharedDir is a lab directory other users can enter but not write.
func sharedDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "sentinel-lab-e2e-shared")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	return dir
}

// Permission denied on the Docker socket, and a lab directory whose data/
// the user cannot write: each named with its fix, nothing written.
func TestPermissionProblems(t *testing.T) {
	requireDocker(t)
	t.Run("docker socket", func(t *testing.T) {
		dir := sharedDir(t)
		os.Chmod(dir, 0o777)
		r := asNobody(t, dir, "up")
		expectFailure(t, r, 1, "permission denied on the Docker socket", "docker group")
		if e := entries(t, dir); len(e) > 0 {
			t.Errorf("up wrote %v", e)
		}
	})
	t.Run("data not writable", func(t *testing.T) {
		dir := sharedDir(t)
		if err := os.Mkdir(filepath.Join(dir, "data"), 0o755); err != nil {
			t.Fatal(err)
		}
		r := asNobody(t, dir, "render")
		expectFailure(t, r, 1, "cannot write data in the lab directory", "fix its permissions")
		if e := entries(t, dir); len(e) != 1 {
			t.Errorf("render left %v, want only data", e)
		}
	})
}

// A published port already in use is found before any container is
// created, naming the port and the node.
func TestPublishedPortInUse(t *testing.T) {
	l := newLab(t)
	base := l.Port
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", base+1))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	r := l.run(append([]string{"up"}, l.Flags...)...)
	expectFailure(t, r, 1, fmt.Sprintf("port 127.0.0.1:%d, wanted by node-1, is already in use", base+1), "--port")
	if c := l.containers(); len(c) > 0 {
		t.Errorf("%d containers created despite the port", len(c))
	}
}

// With --port auto, labs with different names run side by side; a second
// lab under a name already used is refused.
func TestLabsSideBySideAndNameTaken(t *testing.T) {
	a, b := newLab(t), newLab(t)
	a.Flags = []string{"--name", a.Name, "--down-after", "1000", "--port", "auto"}
	b.Flags = []string{"--name", b.Name, "--down-after", "1000", "--port", "auto"}
	a.up()
	b.up()
	if sa, sb := a.status(), b.status(); !sa.Healthy || !sb.Healthy {
		t.Fatalf("side by side: %v / %v", sa.Problems, sb.Problems)
	}
	other := t.TempDir()
	r := runIn(other, "up", "--name", a.Name, "--port", "auto")
	expectFailure(t, r, 2, fmt.Sprintf("lab name %q is already used by the lab in %s", a.Name, a.Dir), "--name")
	runIn(other, "down", "--volumes")
}

// Commands in a directory with no lab, or with a lab that is not running.
func TestNoLabAndLabNotRunning(t *testing.T) {
	requireDocker(t)
	empty := t.TempDir()
	for _, cmd := range []string{"status", "kill-master", "revive"} {
		expectFailure(t, runIn(empty, cmd), 1, "no lab in "+empty, "sentinel-lab up")
	}
	if r := runIn(empty, "down"); r.code != 0 || !strings.Contains(r.stdout, "not running; nothing to remove") {
		t.Errorf("down in an empty directory: %d %s %s", r.code, r.stdout, r.stderr)
	}

	l := newLab(t)
	l.up()
	l.must("down")
	st := l.must("status").stdout
	if !strings.Contains(st, "is not running") || !strings.Contains(st, "sentinel-lab up") {
		t.Errorf("status of a stopped lab:\n%s", st)
	}
	expectFailure(t, l.run("kill-master"), 1, "is not running", "sentinel-lab up")
	expectFailure(t, l.run("revive"), 1, "is not running", "sentinel-lab up")
	if r := l.run("down"); r.code != 0 {
		t.Errorf("down of a stopped lab: %s", r.stderr)
	}
}

// The image cannot be found, pulled nor built: a clear error and nothing
// created.
func TestImageMissingWithNoWayToGetOne(t *testing.T) {
	l := newLab(t)
	t.Setenv("PATH", t.TempDir()) // no redis-server to build from
	r := l.run(append([]string{"up", "--image", "sentinel-lab-e2e/absent:1"}, l.Flags...)...)
	expectFailure(t, r, 1, "image sentinel-lab-e2e/absent:1 is not on this machine and cannot be pulled", "--image", "apt-get install redis-server")
	if c := l.containers(); len(c) > 0 {
		t.Errorf("%d containers created without an image", len(c))
	}
}

// An image that is not Redis: named, and what up made is removed.
func TestImageThatIsNotRedis(t *testing.T) {
	l := newLab(t)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, content := range map[string]string{"Dockerfile": "FROM scratch\nCOPY hello.txt /hello.txt\n", "hello.txt": "not redis\n"} {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(content))})
		tw.Write([]byte(content))
	}
	tw.Close()
	const img = "sentinel-lab-e2e/not-redis:1"
	if err := l.Eng.BuildImage(context.Background(), img, &buf, nil); err != nil {
		t.Fatal(err)
	}
	r := l.run(append([]string{"up", "--image", img}, l.Flags...)...)
	expectFailure(t, r, 1, "image "+img+" has no redis-server", "--image redis:7.2", "removed the")
	if c := l.containers(); len(c) > 0 {
		t.Errorf("%d containers left after a failed up", len(c))
	}
}

// A lab directory with a space in its path works.
func TestPathWithSpaces(t *testing.T) {
	l := newLab(t)
	l.Dir = filepath.Join(l.Dir, "my lab")
	if err := os.Mkdir(l.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	l.up()
	if st := l.status(); !st.Healthy {
		t.Errorf("lab under %q: %v", l.Dir, st.Problems)
	}
}

// A hand-edited compose file that no longer parses: compose-go's error with
// the file and line; nothing created.
func TestBrokenComposeFile(t *testing.T) {
	l := newLab(t)
	l.must(append([]string{"render"}, l.Flags...)...)
	file := l.path("compose", "docker-compose.yml")
	b, _ := os.ReadFile(file)
	os.WriteFile(file, []byte(strings.Replace(string(b), "    command:", "   command: [unclosed", 1)), 0o644)
	r := l.run("up")
	expectFailure(t, r, 1, file, "line")
	if c := l.containers(); len(c) > 0 {
		t.Errorf("%d containers created from a broken file", len(c))
	}
	if after, _ := os.ReadFile(file); !strings.Contains(string(after), "[unclosed") {
		t.Error("up overwrote the hand-edited compose file")
	}
}

// kill-master with a majority of sentinels down: refused by default,
// saying why; --force tries and reports the timeout and why.
func TestKillMasterWithoutAMajorityOfSentinels(t *testing.T) {
	l := newLab(t)
	l.up()
	for _, s := range []string{"sentinel-2", "sentinel-3"} {
		if err := l.Eng.Kill(context.Background(), l.container(s).ID, "SIGKILL"); err != nil {
			t.Fatal(err)
		}
	}
	expectFailure(t, l.run("kill-master"), 1, "only 1 of 3 sentinels answer", "majority (2)", "--force")
	if l.container("master").State != engine.StateRunning {
		t.Error("a refused kill-master faulted the master")
	}
	r := l.run("kill-master", "--force", "--timeout", "6s")
	expectFailure(t, r, 1, "no failover after", "why:", "sentinel-2: does not answer")
	rv := l.revive()
	if len(rv.Revived) != 3 {
		t.Errorf("revive brought back %s", describe(rv))
	}
	if st := l.status(); !st.Healthy {
		t.Errorf("after revive: %v", st.Problems)
	}
}

// Ctrl-C during up stops cleanly: exit 130, every container made carries the
// lab's labels, and the next up completes the lab.
func TestInterruptedUpThenUpCompletes(t *testing.T) {
	l := newLab(t)
	cmd := exec.Command(binary(t), append([]string{"--dir", l.Dir, "up"}, l.Flags...)...)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for len(l.containers()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 || !strings.Contains(errb.String(), "interrupted") {
		t.Fatalf("interrupted up: %v\n%s", err, errb.String())
	}
	all, _ := l.Eng.Containers(context.Background(), nil)
	for _, c := range all {
		if strings.HasPrefix(c.Name, l.Name+"-") && c.Labels[engine.LabelProject] != l.Name {
			t.Errorf("container %s has no lab label", c.Name)
		}
	}
	l.up()
	if st := l.status(); !st.Healthy {
		t.Errorf("up after the interrupted one: %v", st.Problems)
	}
}

// A container that exits during up (a bad conf): up fails fast with its
// last log lines, not after the timeout.
func TestContainerExitsDuringUp(t *testing.T) {
	l := newLab(t)
	l.must(append([]string{"render"}, l.Flags...)...)
	conf := l.path("data", "node-1", "data", "redis.conf")
	f, err := os.OpenFile(conf, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("no-such-directive yes\n")
	f.Close()
	// It fails on the exit itself, not on the timeout: the error is about
	// node-1 stopping, never "not healthy after".
	r := l.run("up", "--timeout", "10m")
	expectFailure(t, r, 1, "node-1 stopped while the lab was starting", "Bad directive", "no-such-directive")
	if strings.Contains(r.stderr, "not healthy after") {
		t.Errorf("up waited for the timeout:\n%s", r.stderr)
	}
}

// A sentinel killed during a failover: the two that remain complete it, and
// status shows which one is missing.
func TestSentinelKilledDuringFailover(t *testing.T) {
	l := newLab(t)
	l.up()
	done := make(chan result)
	go func() { done <- l.run("kill-master", "-o", "json") }()
	// Once the master is down kill-master is watching; the sentinel then
	// dies well before down-after-milliseconds ends.
	for l.container("master").State == engine.StateRunning {
		time.Sleep(20 * time.Millisecond)
	}
	if err := l.Eng.Kill(context.Background(), l.container("sentinel-3").ID, "SIGKILL"); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.code != 0 {
		t.Fatalf("kill-master with a sentinel killed midway: %s", r.stderr)
	}
	var rep failover.Report
	json.Unmarshal([]byte(r.stdout), &rep)
	if rep.NewMaster.Service == "" || len(rep.Lost) != 1 || rep.Lost[0] != "sentinel-3" {
		t.Errorf("report: new master %q, lost %v", rep.NewMaster.Service, rep.Lost)
	}
	st := l.status()
	for _, s := range st.Sentinels {
		if s.Service == "sentinel-3" && (s.State != "exited" || s.Error == "") {
			t.Errorf("status shows sentinel-3 as %s", s.State)
		}
	}
}

// down then up after a failover resumes the lab as it was: the same master,
// the same keys, the sentinels with their epoch.
func TestDownUpResumesTheLab(t *testing.T) {
	l := newLab(t)
	l.up()
	opened, err := lab.Open(labdir.Dir{Root: l.Dir})
	if err != nil {
		t.Fatal(err)
	}
	pr := opened.Prober(l.Eng, probe.ReachAuto)
	defer pr.Close()
	master := opened.Topology.InitialMaster().Addr.String()
	for i := 0; i < 100; i++ {
		if err := pr.DataClient(master).Set(context.Background(), fmt.Sprintf("key:%d", i), i, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	rep := l.killMaster()
	l.revive()
	before := l.status()
	l.must("down")
	l.up()
	after := l.status()
	if after.Master == nil || after.Master.Service != rep.NewMaster.Service {
		t.Fatalf("master after down/up: %v, want %s", after.Master, rep.NewMaster.Service)
	}
	if after.Sentinels[0].Epoch != before.Sentinels[0].Epoch || after.Sentinels[0].Epoch < 1 {
		t.Errorf("epoch %d after down/up, was %d", after.Sentinels[0].Epoch, before.Sentinels[0].Epoch)
	}
	n, err := pr.DataClient(after.Master.Address).Exists(context.Background(), "key:0", "key:50", "key:99").Result()
	if err != nil || n != 3 {
		t.Errorf("keys after down/up: %d of 3 (%v)", n, err)
	}
}

// Secure by default: auth on (an unauthenticated client gets NOAUTH), ports
// on 127.0.0.1, containers hardened and never root.
func TestSecureDefaults(t *testing.T) {
	l := newLab(t)
	l.up()
	st := l.status()
	for _, addr := range []string{st.Master.Address, st.Sentinels[0].Address} {
		c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true, MaxRetries: -1})
		err := c.Ping(context.Background()).Err()
		c.Close()
		if err == nil || !strings.Contains(err.Error(), "NOAUTH") {
			t.Errorf("unauthenticated PING to %s: %v, want NOAUTH", addr, err)
		}
	}
	out, err := exec.Command("docker", "inspect", l.container("master").ID).Output()
	if err != nil {
		t.Fatal(err)
	}
	var inspect []struct {
		Config     struct{ User string }
		HostConfig struct {
			CapDrop        []string
			ReadonlyRootfs bool
			SecurityOpt    []string
			PortBindings   map[string][]struct{ HostIp string }
		}
	}
	json.Unmarshal(out, &inspect)
	c := inspect[0]
	if c.Config.User == "" || strings.HasPrefix(c.Config.User, "0:") || strings.HasPrefix(c.Config.User, "root") {
		t.Errorf("container runs as %q", c.Config.User)
	}
	if len(c.HostConfig.CapDrop) != 1 || c.HostConfig.CapDrop[0] != "ALL" || !c.HostConfig.ReadonlyRootfs ||
		len(c.HostConfig.SecurityOpt) != 1 || c.HostConfig.SecurityOpt[0] != "no-new-privileges:true" {
		t.Errorf("hardening: %+v", c.HostConfig)
	}
	for port, bindings := range c.HostConfig.PortBindings {
		for _, b := range bindings {
			if b.HostIp != "127.0.0.1" {
				t.Errorf("port %s published on %q", port, b.HostIp)
			}
		}
	}
	if out := l.must("config").stdout; strings.Contains(out, readPassword(t, l)) {
		t.Error("config prints the password without --show-secrets")
	}
	if out := l.must("config", "--show-secrets").stdout; !strings.Contains(out, readPassword(t, l)) {
		t.Error("config --show-secrets does not print the password")
	}
}

func readPassword(t *testing.T, l *Lab) string {
	b, err := os.ReadFile(l.path(".sentinel-lab", "password"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// --no-auth gives the seed's open lab; published on another address it
// warns.
func TestNoAuthLab(t *testing.T) {
	l := newLab(t, "--no-auth", "--bind", "0.0.0.0")
	r := l.up()
	if !strings.Contains(r.stderr, "without a password") {
		t.Errorf("no warning about an open lab on 0.0.0.0:\n%s", r.stderr)
	}
	st := l.status()
	c := redis.NewClient(&redis.Options{Addr: st.Master.Address, Protocol: 2, DisableIdentity: true, MaxRetries: -1})
	defer c.Close()
	if err := c.Ping(context.Background()).Err(); err != nil {
		t.Errorf("PING without a password on a --no-auth lab: %v", err)
	}
}
