package e2e

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
)

// The life cycle a newcomer runs: up, status, up again, down; plus what
// other tools see of the lab.
func TestUpStatusIdempotentUpDown(t *testing.T) {
	l := newLab(t)
	r := l.up()
	if !strings.Contains(r.stdout, "is up and healthy") {
		t.Errorf("up did not say the lab is healthy:\n%s", r.stdout)
	}

	st := l.status()
	if !st.Healthy || st.Master == nil || st.Master.Service != "master" {
		t.Fatalf("status after up: %s", describe(st))
	}
	online := 0
	for _, n := range st.Nodes {
		if n.Role == "replica" && n.MasterLinkStatus == "up" && n.MasterService == "master" {
			online++
		}
	}
	if online != 2 {
		t.Errorf("%d replicas linked to the master, want 2: %s", online, describe(st.Nodes))
	}
	for _, s := range st.Sentinels {
		if s.MasterService != "master" || s.Replicas != 2 || s.Sentinels != 2 || !s.QuorumOK {
			t.Errorf("%s: master %s, %d replicas, %d other sentinels, quorum ok %v; want master, 2, 2, true",
				s.Service, s.MasterService, s.Replicas, s.Sentinels, s.QuorumOK)
		}
	}

	again := l.up()
	if !strings.Contains(again.stdout, "already up and healthy; nothing to do") {
		t.Errorf("second up was not a no-op:\n%s\n%s", again.stdout, again.stderr)
	}

	l.must("down")
	l.assertNothingLeft()
	for _, node := range []string{"master", "node-1", "node-2", "sentinel-1", "sentinel-2", "sentinel-3"} {
		if _, err := os.Stat(l.path("data", node, "data", "dump.rdb")); node[:3] != "sen" && err != nil {
			t.Errorf("down deleted %s's data: %v", node, err)
		}
		if _, err := os.Stat(l.path("data", node, "logs")); err != nil {
			t.Errorf("down deleted data/%s/logs: %v", node, err)
		}
	}
	if again := l.run("down"); again.code != 0 || !strings.Contains(again.stdout, "not running; nothing to remove") {
		t.Errorf("down is not idempotent: exit %d\n%s%s", again.code, again.stdout, again.stderr)
	}
}

// A node killed and started again keeps its address, so sentinels and
// replicas find it where they left it; `up` starts what is missing.
func TestKilledNodeComesBackAtItsAddressAndUpStartsIt(t *testing.T) {
	l := newLab(t)
	l.up()
	before := l.container("node-2")
	if err := l.Eng.Kill(context.Background(), before.ID, "SIGKILL"); err != nil {
		t.Fatal(err)
	}
	r := l.up()
	if !strings.Contains(r.stderr, "node-2: running: started again") {
		t.Errorf("up did not start the killed node:\n%s", r.stderr)
	}
	after := l.container("node-2")
	network := l.Name + "_lab"
	if after.ID != before.ID || after.Addresses[network] != before.Addresses[network] {
		t.Errorf("node-2 came back as %s at %v, was %s at %v", after.ID, after.Addresses[network], before.ID, before.Addresses[network])
	}
	if st := l.status(); !st.Healthy {
		t.Errorf("lab not healthy after up restarted node-2: %v", st.Problems)
	}
}

// The password never appears in a container's command line, environment or
// labels, and an unauthenticated client is refused.
func TestPasswordStaysOutOfContainers(t *testing.T) {
	l := newLab(t)
	l.up()
	pw, err := os.ReadFile(l.path(".sentinel-lab", "password"))
	if err != nil {
		t.Fatal(err)
	}
	secret := strings.TrimSpace(string(pw))
	if info, _ := os.Stat(l.path(".sentinel-lab", "password")); info.Mode().Perm() != 0o600 {
		t.Errorf("password file mode %v, want 0600", info.Mode().Perm())
	}
	out, err := exec.Command("docker", "inspect", l.container("master").ID, l.container("sentinel-1").ID).CombinedOutput()
	if err != nil {
		t.Fatalf("docker inspect: %v\n%s", err, out)
	}
	if strings.Contains(string(out), secret) {
		t.Error("the password shows in docker inspect")
	}
	for _, c := range l.containers() {
		if c.Labels[engine.LabelProject] != l.Name || c.Labels[engine.LabelOneoff] != "False" || c.Labels[engine.LabelNumber] != "1" {
			t.Errorf("%s lacks the compose labels: %v", c.Name, c.Labels)
		}
	}
}

// docker compose sees the lab sentinel-lab started, by its labels.
func TestComposeSeesTheLab(t *testing.T) {
	compose := composeCommand(t)
	l := newLab(t)
	l.up()
	args := append(compose[1:], "-p", l.Name, "-f", l.path("compose", "docker-compose.yml"), "ps", "-q")
	out, err := exec.Command(compose[0], args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(compose, " "), err, out)
	}
	ids := strings.Fields(string(out))
	if len(ids) != 6 {
		t.Errorf("docker compose ps lists %d containers, want 6:\n%s", len(ids), out)
	}
	// compose down removes what sentinel-lab started.
	args = append(compose[1:], "-p", l.Name, "-f", l.path("compose", "docker-compose.yml"), "down")
	if out, err := exec.Command(compose[0], args...).CombinedOutput(); err != nil {
		t.Fatalf("compose down: %v\n%s", err, out)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(l.containers()) > 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	if n := len(l.containers()); n > 0 {
		t.Errorf("%d containers left after docker compose down", n)
	}
}

// composeCommand finds docker compose v2 or docker-compose v1; CI must have
// one of them.
func composeCommand(t *testing.T) []string {
	if exec.Command("docker", "compose", "version").Run() == nil {
		return []string{"docker", "compose"}
	}
	if p, err := exec.LookPath("docker-compose"); err == nil {
		return []string{p}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("neither `docker compose` nor docker-compose is installed")
	}
	t.Skip("neither `docker compose` nor docker-compose is installed")
	return nil
}

// Where the host cannot route to the lab network (Docker Desktop), the CLI
// goes through the published ports: the same answers that way.
func TestPublishedPortsReachTheLab(t *testing.T) {
	l := newLab(t)
	l.up()
	out := l.must("--connect", "published", "status", "-o", "json").stdout
	if !strings.Contains(out, `"healthy": true`) {
		t.Errorf("status through the published ports:\n%s", out)
	}
}
