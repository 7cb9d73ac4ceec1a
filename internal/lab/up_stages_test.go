package lab_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/lab/labtest"
)

// startOrder is the services in the order the engine started them.
func startOrder(fx *labtest.Lab) []string {
	var out []string
	for _, c := range fx.Engine.Calls() {
		if m, svc, _ := strings.Cut(c, " "); m == "Start" {
			out = append(out, svc)
		}
	}
	return out
}

// checkFirst checks that first started before every other lab node.
func checkFirst(t *testing.T, order []string, first string) {
	t.Helper()
	i := slices.Index(order, first)
	if i < 0 {
		t.Fatalf("%s was not started: %v", first, order)
	}
	for _, svc := range order[:i] {
		if strings.HasPrefix(svc, "node-") || strings.HasPrefix(svc, "sentinel-") || svc == "master" {
			t.Errorf("%s started before %s, the master: %v", svc, first, order)
		}
	}
	nodes := 0
	for _, svc := range order {
		if !strings.Contains(svc, "server-version") {
			nodes++
		}
	}
	if nodes != 6 {
		t.Errorf("started %v, want the 6 nodes", order)
	}
}

// up starts the master first and the replicas and sentinels once it
// answers; after a failover (down, then up) the master is the node whose
// conf has no replicaof line, whatever its name.
func TestUpStartsTheMasterFirst(t *testing.T) {
	for _, timers := range []string{"normal", "fast"} {
		fx := labtest.New(t, map[string]string{"timers": timers})
		checkFirst(t, startOrder(fx), "master")

		// What CONFIG REWRITE leaves after node-1 was promoted.
		master := filepath.Join(fx.Dir.NodeData("master"), "redis.conf")
		node1 := filepath.Join(fx.Dir.NodeData("node-1"), "redis.conf")
		b, _ := os.ReadFile(node1)
		var kept []string
		var follow string
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "replicaof ") {
				follow = line
				continue
			}
			kept = append(kept, line)
		}
		if follow == "" {
			t.Fatalf("node-1's conf has no replicaof line:\n%s", b)
		}
		os.WriteFile(node1, []byte(strings.Join(kept, "\n")), 0o644)
		mb, _ := os.ReadFile(master)
		os.WriteFile(master, append(mb, []byte("\n"+strings.Replace(follow, fx.Session.Lab.Topology.InitialMaster().Addr.Addr().String(), "172.28.0.11", 1)+"\n")...), 0o644)

		ctx := context.Background()
		if _, err := fx.Session.Down(ctx, lab.DownOptions{}); err != nil {
			t.Fatal(err)
		}
		fx.Engine.ResetCalls()
		if _, err := fx.NewSession().Up(ctx, fx.Dir, fx.Session.Lab.Config, lab.UpOptions{Timeout: time.Minute}); err != nil {
			t.Fatal(err)
		}
		checkFirst(t, startOrder(fx), "node-1")
	}
}
