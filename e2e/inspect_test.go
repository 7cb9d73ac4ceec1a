package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/app"
	"github.com/sentinel-lab/sentinel-lab/internal/cli"
	"github.com/sentinel-lab/sentinel-lab/internal/nodelog"
)

var labServices = []string{"master", "node-1", "node-2", "sentinel-1", "sentinel-2", "sentinel-3"}

// runWith runs a command line with its own standard input and context.
func (l *Lab) runWith(ctx context.Context, stdin string, out, errw *syncBuffer, args ...string) int {
	return app.Run(ctx, append([]string{"--dir", l.Dir}, args...), cli.Streams{In: strings.NewReader(stdin), Out: out, Err: errw})
}

// syncBuffer is written by a command while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// logLines splits `logs` output into service and text, failing on a line
// without the service in front.
func logLines(t *testing.T, out string) (services []string, texts []string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		service, text, ok := strings.Cut(line, " | ")
		if !ok {
			t.Fatalf("a line without the service in front: %q", line)
		}
		services = append(services, strings.TrimSpace(service))
		texts = append(texts, text)
	}
	return services, texts
}

// The nodes' logs come from their log files through the Engine API, each
// line behind its service, interleaved by time; a stopped node's log is
// still read, and -f prints new lines as the nodes write them.
func TestLogsOfEveryNodeInterleavedByTime(t *testing.T) {
	l := newLab(t)
	l.up()

	services, texts := logLines(t, l.must("logs").stdout)
	seen := map[string]int{}
	var last time.Time
	for i, s := range services {
		seen[s]++
		if at, ok := nodelog.LineTime(texts[i]); ok {
			if at.Before(last) {
				t.Errorf("line %d (%s) at %v comes after a line at %v", i, s, at, last)
			}
			last = at
		}
	}
	for _, s := range labServices {
		if seen[s] == 0 {
			t.Errorf("no line from %s; lines per service: %v", s, seen)
		}
	}
	if !strings.Contains(strings.Join(texts, "\n"), "+monitor master redis-master") {
		t.Error("no sentinel says +monitor master")
	}

	services, texts = logLines(t, l.must("logs", "sentinel-2", "--tail", "3").stdout)
	if len(services) != 3 || services[0] != "sentinel-2" || services[2] != "sentinel-2" {
		t.Errorf("logs sentinel-2 --tail 3: %v", services)
	}
	if out := l.must("logs", "--since", "1m").stdout; !strings.Contains(out, "master     | ") {
		t.Errorf("logs --since 1m has nothing from the master:\n%s", out)
	}
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	if out := l.must("logs", "--since", future).stdout; out != "" {
		t.Errorf("logs --since an hour ahead printed:\n%s", out)
	}
	if r := l.run("logs", "node-9"); r.code != 2 || !strings.Contains(r.stderr, "master, node-1, node-2, sentinel-1, sentinel-2, sentinel-3") {
		t.Errorf("logs node-9: exit %d, %s", r.code, r.stderr)
	}

	// Follow, then stop node-2 (SIGTERM): its shutdown lines appear.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan int)
	go func() { done <- l.runWith(ctx, "", &out, &errb, "logs", "-f", "--tail", "0") }()
	// Make the master log something until the follower shows it: from then
	// on it is following, and node-2's shutdown lines are new lines.
	for ready := time.Now().Add(15 * time.Second); !strings.Contains(out.String(), "Background saving"); {
		if time.Now().After(ready) {
			t.Fatalf("logs -f showed nothing of a BGSAVE:\n%s\n%s", out.String(), errb.String())
		}
		l.run("cli", "master", "BGSAVE")
		time.Sleep(300 * time.Millisecond)
	}
	if err := l.Eng.Stop(context.Background(), l.container("node-2").ID, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "node-2     | ") || !strings.Contains(out.String(), "bye bye") {
		if time.Now().After(deadline) {
			t.Fatalf("logs -f did not show node-2 stopping within 10s:\n%s\n%s", out.String(), errb.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	// And it says so, instead of following the stopped node silently.
	for !strings.Contains(errb.String(), "logs: node-2 stopped (container exited); still following it") {
		if time.Now().After(deadline) {
			t.Fatalf("logs -f did not say node-2 stopped:\n%s", errb.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("logs -f ended with exit %d after Ctrl-C: %s", code, errb.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("logs -f did not stop when its context was cancelled")
	}
	// Redis logs "Redis is starting", Valkey "Valkey is starting".
	if strings.Contains(out.String(), " is starting oO0") {
		t.Errorf("logs -f --tail 0 printed old lines:\n%s", out.String())
	}

	// The stopped node's log is still read.
	if out := l.must("logs", "node-2", "--tail", "5").stdout; !strings.Contains(out, " is now ready to exit") {
		t.Errorf("logs of the stopped node-2:\n%s", out)
	}
}

// redis-cli runs in the node's container with the password handled.
func TestCLIRunsRedisCLIInTheNodesContainer(t *testing.T) {
	l := newLab(t)
	l.up()

	out := l.must("cli", "master", "INFO", "replication").stdout
	for _, want := range []string{"# Replication", "role:master", "connected_slaves:2"} {
		if !strings.Contains(out, want) {
			t.Errorf("cli master INFO replication has no %q:\n%s", want, out)
		}
	}

	st := l.status()
	host, port, _ := strings.Cut(st.Master.Address, ":")
	out = l.must("cli", "sentinel-1", "SENTINEL", "get-master-addr-by-name", "redis-master").stdout
	if strings.Fields(out)[0] != host || strings.Fields(out)[1] != port {
		t.Errorf("sentinel-1 says the master is at %q, status says %s", out, st.Master.Address)
	}

	// Flags after the service are redis-cli's; stdin is its commands.
	if out := l.must("cli", "node-1", "--no-raw", "ROLE").stdout; !strings.Contains(out, `"slave"`) {
		t.Errorf("cli node-1 --no-raw ROLE:\n%s", out)
	}
	var pout, perr syncBuffer
	if code := l.runWith(context.Background(), "SET greeting hello\nGET greeting\n", &pout, &perr, "cli", "master"); code != 0 || pout.String() != "OK\nhello\n" {
		t.Errorf("commands on stdin: exit %d, %q, %s", code, pout.String(), perr.String())
	}

	r := l.run("cli", "node-9")
	if r.code != 2 || !strings.Contains(r.stderr, `has no service "node-9"; its services are master, node-1, node-2, sentinel-1, sentinel-2, sentinel-3`) {
		t.Errorf("cli node-9: exit %d, %s", r.code, r.stderr)
	}
	// redis-cli's own failure is its exit code.
	if r := l.run("cli", "master", "-p", "1", "PING"); r.code != 1 || !strings.Contains(r.stderr, "Could not connect") {
		t.Errorf("cli master -p 1 PING: exit %d, %s", r.code, r.stderr)
	}

	if err := l.Eng.Kill(context.Background(), l.container("node-1").ID, "SIGKILL"); err != nil {
		t.Fatal(err)
	}
	if r := l.run("cli", "node-1", "PING"); r.code != 1 || !strings.Contains(r.stderr, "node-1 is not running (exited); sentinel-lab revive node-1") {
		t.Errorf("cli on a killed node: exit %d, %s", r.code, r.stderr)
	}
}

// An export after a failover holds what the issue lists, tells what it
// could not collect (the killed master), and never the password.
func TestExportHoldsTheLabAndNeverThePassword(t *testing.T) {
	l := newLab(t)
	l.up()
	l.must("kill-master")
	pw, err := os.ReadFile(l.path(".sentinel-lab", "password"))
	if err != nil {
		t.Fatal(err)
	}
	password := strings.TrimSpace(string(pw))

	dir := filepath.Join(t.TempDir(), "report")
	r := l.must("export", dir)
	if !strings.HasPrefix(r.stdout, dir+"\n") || !strings.Contains(r.stdout, "SENTINEL answers of 3/3 sentinels") {
		t.Errorf("export printed:\n%s", r.stdout)
	}

	want := []string{
		"README.txt", "config.txt", "config.json", "compose/docker-compose.yml", "compose/.env",
		"status.json", "logs.txt", "last-failover.json", "errors.txt",
	}
	for _, s := range labServices {
		want = append(want, "containers/"+s+".json")
		if strings.HasPrefix(s, "sentinel") {
			want = append(want, "nodes/"+s+"/info.txt", "nodes/"+s+"/sentinel.conf", "nodes/"+s+"/sentinel.log",
				"nodes/"+s+"/sentinel-master.json", "nodes/"+s+"/sentinel-replicas.json",
				"nodes/"+s+"/sentinel-sentinels.json", "nodes/"+s+"/sentinel-ckquorum.txt")
		} else {
			want = append(want, "nodes/"+s+"/redis.conf", "nodes/"+s+"/redis.log")
			if s != "master" { // killed
				want = append(want, "nodes/"+s+"/info.txt")
			}
		}
	}
	for _, f := range want {
		if b, err := os.ReadFile(filepath.Join(dir, f)); err != nil || len(b) == 0 {
			t.Errorf("%s: %v (%d bytes)", f, err, len(b))
		}
	}

	read := func(f string) string {
		b, _ := os.ReadFile(filepath.Join(dir, f))
		return string(b)
	}
	if e := read("errors.txt"); !strings.Contains(e, "master (container exited): not asked") {
		t.Errorf("errors.txt does not say the killed master could not answer:\n%s", e)
	}
	var master map[string]string
	if err := json.Unmarshal([]byte(read("nodes/sentinel-2/sentinel-master.json")), &master); err != nil || master["name"] != "redis-master" || master["num-other-sentinels"] != "2" {
		t.Errorf("sentinel-master.json: %v %v", err, master)
	}
	var replicas []map[string]string
	if err := json.Unmarshal([]byte(read("nodes/sentinel-1/sentinel-replicas.json")), &replicas); err != nil || len(replicas) != 2 {
		t.Errorf("sentinel-replicas.json: %v %v", err, replicas)
	}
	for _, f := range []string{"status.json", "config.json", "last-failover.json", "containers/node-1.json"} {
		if !json.Valid([]byte(read(f))) {
			t.Errorf("%s is not JSON", f)
		}
	}
	if !strings.Contains(read("nodes/node-1/info.txt"), "# Keyspace") || !strings.Contains(read("nodes/sentinel-1/info.txt"), "# Sentinel") {
		t.Error("INFO is not INFO all")
	}
	if !strings.Contains(read("logs.txt"), "+switch-master redis-master") {
		t.Error("logs.txt has no +switch-master")
	}
	// The confs hold the password: it is there, masked.
	if !strings.Contains(read("nodes/node-1/redis.conf"), `requirepass "********"`) {
		t.Errorf("node-1's conf:\n%s", read("nodes/node-1/redis.conf"))
	}

	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if bytes.Contains(b, []byte(password)) {
			t.Errorf("the lab password is in %s", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	if r := l.run("export", dir); r.code != 2 || !strings.Contains(r.stderr, "already holds files") {
		t.Errorf("export into the same folder: exit %d, %s", r.code, r.stderr)
	}
}
