package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/server"
)

// i14Lab is a lab of issue 14's tests: named for it, so it is told apart
// from other labs on a shared daemon.
func i14Lab(t *testing.T, extra ...string) *Lab {
	t.Helper()
	l := newLab(t, extra...)
	l.Name = "i14-" + strings.TrimPrefix(l.Name, "e2e-")
	l.Flags = append(l.Flags, "--name", l.Name)
	return l
}

// In hostname addressing a failover after a clean stop of the master, the
// case where Docker's DNS has forgotten the master's name (redis#12753,
// #11241, reported on Redis 6.2), completes, and no sentinel ever fails to
// resolve a name: every node's hosts file still names the master. The
// sentinels hand out names, not addresses, before and after. It runs on
// the default image and on Redis 6.2.16 when its build is here.
//
// Without the hosts-file lines (tried on this machine, Engine 20.10, Redis
// 7.0.15 and 6.2.16) every sentinel logged "Failed to resolve hostname
// 'master'" after the stop, which is what this test catches; the failover
// itself still completed there.
func TestHostnameAddressingFailsOverAfterAStop(t *testing.T) {
	for _, name := range []string{"default-image", "redis-6.2.16"} {
		t.Run(name, func(t *testing.T) {
			l := i14Lab(t, "--addressing", "hostnames")
			if name != "default-image" {
				s := matrixServer{name: name, path: filepath.Join(redisBuilds(), name, "redis-server"), kind: server.Redis, version: "6.2.16"}
				// Redis 6.2 has no SENTINEL DEBUG, so no fast timers.
				l.Flags = append(l.Flags, "--timers", "normal", "--image", buildImage(t, l, s, requireServer(t, l.Eng, s)))
			}
			hostnameFailover(t, l)
		})
	}
}

func hostnameFailover(t *testing.T, l *Lab) {
	l.up()
	before := l.must("cli", "sentinel-1", "SENTINEL", "get-master-addr-by-name", "redis-master").stdout
	if !strings.Contains(before, "master") || strings.Contains(before, "172.") {
		t.Errorf("before the failover sentinel-1 answers %q, want the name master", before)
	}
	r := l.killMaster("--mode", "stop")
	checkFailover(t, r, "master")
	after := l.must("cli", "sentinel-2", "SENTINEL", "get-master-addr-by-name", "redis-master").stdout
	if !strings.Contains(after, r.NewMaster.Service) || strings.Contains(after, "172.") {
		t.Errorf("after the failover sentinel-2 answers %q, want the name %s", after, r.NewMaster.Service)
	}
	// The name of the stopped master still resolves in every sentinel.
	for _, s := range []string{"sentinel-1", "sentinel-2", "sentinel-3"} {
		b, err := os.ReadFile(l.path("data", s, "logs", "sentinel.log"))
		if err != nil {
			t.Fatal(err)
		}
		if i := strings.Index(string(b), "Failed to resolve"); i >= 0 {
			t.Errorf("%s could not resolve a name: %s", s, strings.SplitN(string(b[i:]), "\n", 2)[0])
		}
	}
	checkRevived(t, l, l.revive(), "master", r.NewMaster.Service)
}
