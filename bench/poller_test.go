package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseEpoch(t *testing.T) {
	got, err := parseEpoch("1732458291.012345")
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Unix(1732458291, 12345000); !got.Equal(want) {
		t.Errorf("parseEpoch = %v, want %v", got, want)
	}
	for _, bad := range []string{"", "1732458291", "1732458291,012345", "x.5", "1.x", "1.0123456789"} {
		if _, err := parseEpoch(bad); err == nil {
			t.Errorf("parseEpoch(%q) should fail", bad)
		}
	}
}

func TestParsePollerOutput(t *testing.T) {
	r, err := parsePollerOutput("sentinel-2", []string{
		"ready 100.000500",
		"seen 102.100000 102.105000 400 100.000000 11000 6000 10.0.0.12:6381",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Seen || r.Addr != "10.0.0.12:6381" || r.Polls != 400 {
		t.Errorf("got %+v", r)
	}
	if !r.SeenEnd.Equal(time.Unix(102, 105000000)) || !r.SeenStart.Equal(time.Unix(102, 100000000)) {
		t.Errorf("seen times %v .. %v", r.SeenStart, r.SeenEnd)
	}
	if r.MaxPoll != 11*time.Millisecond || r.Gap != 6*time.Millisecond {
		t.Errorf("max poll %v, gap %v", r.MaxPoll, r.Gap)
	}
	// 2.105 s over 400 polls.
	if got := r.Interval(); got != 5262500*time.Nanosecond {
		t.Errorf("Interval() = %v, want 5.2625ms", got)
	}

	for _, tc := range []struct {
		name  string
		lines []string
		want  string
	}{
		{"switched before polling began", []string{"other 100.000100 10.0.0.12:6381"}, "already named 10.0.0.12:6381"},
		{"no switch by the deadline", []string{"ready 100.000500", "timeout 190.000000 9000 100.000000"}, "still named the old master"},
		{"never answered", nil, "never got an answer"},
		{"killed before it saw the switch", []string{"ready 100.000500"}, "stopped before it saw"},
		{"garbage", []string{"ready 100.000500", "hello"}, `unexpected line from the sentinel-1 poller: "hello"`},
	} {
		_, err := parsePollerOutput("sentinel-1", tc.lines)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

// fakeRedisCLI writes a redis-cli stand-in that answers from a script of
// replies, one per invocation (the last one repeats), and logs its
// arguments and REDISCLI_AUTH.
func fakeRedisCLI(t *testing.T, replies ...string) (cli, log string) {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("the baseline poller is a bash loop; no bash here")
	}
	dir := t.TempDir()
	log = filepath.Join(dir, "log")
	var cases strings.Builder
	for i, r := range replies {
		cases.WriteString("  " + strconv.Itoa(i+1) + ") " + r + " ;;\n")
	}
	script := "#!/bin/bash\n" +
		"n=$(( $(cat " + dir + "/count 2>/dev/null || echo 0) + 1 )); echo $n > " + dir + "/count\n" +
		"echo \"args=$* auth=$REDISCLI_AUTH\" >> " + log + "\n" +
		"case $n in\n" + cases.String() + "  *) " + replies[len(replies)-1] + " ;;\nesac\n"
	cli = filepath.Join(dir, "redis-cli")
	if err := os.WriteFile(cli, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return cli, log
}

const (
	oldReply = `printf '10.0.0.10\n6379\n'`
	newReply = `printf '10.0.0.12\n6381\n'`
)

// The poller script itself, against a fake redis-cli: replies that are
// errors or missing are skipped, the first answer naming the old master
// makes it ready, the first naming another ends it.
func TestPollerScriptSeesTheSwitch(t *testing.T) {
	cli, log := fakeRedisCLI(t,
		`echo "NOAUTH Authentication required."`,
		`echo "Could not connect to Redis at 10.0.0.101:26379: Connection refused" >&2; exit 1`,
		oldReply, oldReply, oldReply,
		newReply)
	target := pollTarget{Sentinel: "sentinel-1", Host: "10.0.0.101", Port: 26379, MasterName: "redis-master", Password: "s3cret"}
	p, err := startPoller(cli, target, "10.0.0.10:6379", time.Now().Add(time.Minute), filepath.Join(t.TempDir(), "reply"))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.waitReady(context.Background(), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	r, err := p.finish(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Seen || r.Addr != "10.0.0.12:6381" || r.Polls != 6 {
		t.Errorf("got %+v; want the new master seen on poll 6", r)
	}
	if r.Ready.IsZero() || r.Ready.After(r.SeenStart) || r.SeenStart.After(r.SeenEnd) || r.Began.After(r.Ready) {
		t.Errorf("times out of order: began %v, ready %v, seen %v .. %v", r.Began, r.Ready, r.SeenStart, r.SeenEnd)
	}
	if r.Gap <= 0 || r.MaxPoll <= 0 || r.Wall <= 0 {
		t.Errorf("gap %v, max poll %v, wall %v should be positive", r.Gap, r.MaxPoll, r.Wall)
	}
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if line != "args=-h 10.0.0.101 -p 26379 SENTINEL get-master-addr-by-name redis-master auth=s3cret" {
			t.Errorf("redis-cli ran with %q; the password belongs in REDISCLI_AUTH only", line)
		}
	}
}

func TestPollerScriptRefusesASwitchBeforeItBegan(t *testing.T) {
	cli, _ := fakeRedisCLI(t, newReply)
	p, err := startPoller(cli, pollTarget{Sentinel: "sentinel-3", Host: "h", Port: 1, MasterName: "m"},
		"10.0.0.10:6379", time.Now().Add(time.Minute), filepath.Join(t.TempDir(), "reply"))
	if err != nil {
		t.Fatal(err)
	}
	err = p.waitReady(context.Background(), 10*time.Second)
	if err == nil || !strings.Contains(err.Error(), "sentinel-3 already named 10.0.0.12:6381") {
		t.Errorf("waitReady = %v, want the early switch named", err)
	}
}

func TestPollerScriptStopsAtTheDeadline(t *testing.T) {
	cli, _ := fakeRedisCLI(t, oldReply)
	p, err := startPoller(cli, pollTarget{Sentinel: "sentinel-1", Host: "h", Port: 1, MasterName: "m"},
		"10.0.0.10:6379", time.Now().Add(-time.Second), filepath.Join(t.TempDir(), "reply"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.finish(10 * time.Second)
	if err == nil || !strings.Contains(err.Error(), "still named the old master at the deadline") {
		t.Errorf("finish = %v, want the deadline named", err)
	}
}

func TestPollerKillEndsTheLoop(t *testing.T) {
	cli, _ := fakeRedisCLI(t, oldReply)
	p, err := startPoller(cli, pollTarget{Sentinel: "sentinel-1", Host: "h", Port: 1, MasterName: "m"},
		"10.0.0.10:6379", time.Now().Add(time.Minute), filepath.Join(t.TempDir(), "reply"))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.waitReady(context.Background(), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	// finish waits for the loop to end: if the kill did not end it, the
	// test hangs and times out.
	_, err = p.finish(50 * time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "stopped before it saw") {
		t.Errorf("finish = %v, want a poller stopped before the switch", err)
	}
}
