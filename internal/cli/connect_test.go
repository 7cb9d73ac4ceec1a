package cli_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/app"
	"github.com/sentinel-lab/sentinel-lab/internal/cli"
	"github.com/sentinel-lab/sentinel-lab/internal/engine/enginetest"
)

// A bad --addressing, or host addressing on a --bind this host does not
// have, is refused by up and render before anything is written or an
// engine is asked, naming the fix.
func TestBadAddressingIsRefusedBeforeAnythingIsWritten(t *testing.T) {
	for _, args := range [][]string{
		{"--addressing", "dns"}, {"--addressing", "host", "--bind", "198.51.100.7"},
	} {
		for _, cmd := range []string{"up", "render"} {
			dir := labDir(t)
			asked := 0
			_, _, err := run(fakeFactory(enginetest.New("redis:7.2"), &asked), append([]string{cmd, "--dir", dir}, args...)...)
			if err == nil || !app.IsUsage(err) || !strings.Contains(err.Error(), "use --") {
				t.Errorf("%s %v: got %v, want a usage error naming the fix", cmd, args, err)
			}
			if list, _ := os.ReadDir(dir); len(list) > 0 || asked > 0 {
				t.Errorf("%s %v wrote %d entries, asked for an engine %d times", cmd, args, len(list), asked)
			}
		}
	}
}

// connect reads the lab directory only: JSON with exactly its four keys,
// the hosts-file line in host addressing, and a usage error for -o hosts
// in any other addressing.
func TestConnect(t *testing.T) {
	dir := labDir(t)
	if _, errOut, err := run(&cli.Factory{}, "render", "--dir", dir, "--name", "conn", "--addressing", "host", "--port", "7100", "--subnet", "172.28.5.0/24"); err != nil {
		t.Fatal(err, errOut)
	}
	asked := 0
	f := fakeFactory(enginetest.New(), &asked)
	out, _, err := run(f, "connect", "--dir", dir, "-o", "json")
	var m map[string]any
	if err != nil || json.Unmarshal([]byte(out), &m) != nil || len(m) != 4 || m["addressing"] != "host" || m["master_name"] != "redis-master" {
		t.Errorf("connect -o json: %v\n%s", err, out)
	}
	if s, _ := m["sentinels"].([]any); len(s) != 3 || s[0] != "127.0.0.1:27100" {
		t.Errorf("sentinels %v", m["sentinels"])
	}
	out, _, err = run(f, "connect", "--dir", dir, "-o", "hosts")
	if err != nil || !strings.HasPrefix(out, "127.0.0.1 master.conn.localhost node-1.conn.localhost ") {
		t.Errorf("connect -o hosts: %v %q", err, out)
	}
	out, _, err = run(f, "connect", "--dir", dir)
	for _, want := range []string{"redis-cli -h 127.0.0.1 -p 27100 SENTINEL get-master-addr-by-name redis-master", "redis.NewFailoverClient", "from redis.sentinel import Sentinel", "redis-sentinel://<password>@127.0.0.1:27100,"} {
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("connect does not show %q (%v):\n%s", want, err, out)
		}
	}
	if asked > 0 {
		t.Error("connect asked for an engine")
	}

	ip := labDir(t)
	run(&cli.Factory{}, "render", "--dir", ip, "--name", "connip", "--subnet", "172.28.6.0/24")
	if _, _, err := run(f, "connect", "--dir", ip, "-o", "hosts"); err == nil || !app.IsUsage(err) || !strings.Contains(err.Error(), "--addressing host") {
		t.Errorf("connect -o hosts in ip addressing: %v", err)
	}
	if _, _, err := run(f, "connect", "--dir", ip, "-o", "yaml"); err == nil || !app.IsUsage(err) {
		t.Errorf("connect -o yaml: %v", err)
	}
}
