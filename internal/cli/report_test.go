package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/app"
	"github.com/sentinel-lab/sentinel-lab/internal/cli"
	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/fault"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
)

// runApp runs a command line the way main does, with exit codes.
func runApp(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = app.Run(context.Background(), args, cli.Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

// Without a recorded failover, report says so and what to run: exit 1.
func TestReportWithoutAFailover(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := runApp(t, "--dir", dir, "report", "-f", filepath.Join(dir, "r.html"))
	if code != app.ExitFailure {
		t.Errorf("exit %d, want %d", code, app.ExitFailure)
	}
	for _, want := range []string{"no failover recorded", "last-failover.json", "run `sentinel-lab kill-master` first"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the error does not say %q:\n%s", want, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "r.html")); err == nil {
		t.Error("a report was written without a failover")
	}
}

func TestReportWritesTheLastFailover(t *testing.T) {
	dir := t.TempDir()
	r := &failover.Report{
		Lab: "t", MasterName: "redis-master", Mode: fault.Kill,
		OldMaster:   failover.NodeRef{Service: "master", Address: "10.0.0.10:6379"},
		NewMaster:   failover.NodeRef{Service: "node-1", Address: "10.0.0.11:6380"},
		DownAfterMS: 1000, FaultAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
		Phases: failover.Phases{FailoverMS: 1900, AgreedMS: 2000, PromotedMS: 1300, ReplicasLinkedMS: 2100, ConvergedMS: 2100},
		Leader: "sentinel-2", Followers: []string{"sentinel-1", "sentinel-3"}, Epoch: 1,
		Events: []failover.Event{
			{Sentinel: "sentinel-2", AtMS: 1050, Type: "+sdown", Detail: "master redis-master 10.0.0.10 6379", Explanation: "the master (master) is subjectively down"},
			{Sentinel: "sentinel-2", AtMS: 2050, Type: "+switch-master", Detail: "redis-master 10.0.0.10 6379 10.0.0.11 6380"},
		},
		Nodes:     []failover.NodeRef{{Service: "master", Address: "10.0.0.10:6379"}, {Service: "node-1", Address: "10.0.0.11:6380"}},
		Sentinels: []failover.SentinelRef{{Service: "sentinel-1", Address: "10.0.0.101:26379"}, {Service: "sentinel-2", Address: "10.0.0.102:26380"}},
	}
	if err := failover.SaveReport(labdir.Dir{Root: dir}, r); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "out", "..", "failover.html")
	code, _, stderr := runApp(t, "--dir", dir, "report", "-f", file, "--lang", "zh")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, want := range []string{"<svg", `data-sentinel="sentinel-2"`, "+switch-master", "切换主节点：master -&gt; node-1", "哨兵事件时间线"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if !strings.Contains(stderr, "wrote "+file) {
		t.Errorf("no word about the file written: %q", stderr)
	}

	// -o - writes the page to standard output.
	code, stdout, stderr := runApp(t, "--dir", dir, "report", "-f", "-")
	if code != 0 || !strings.HasPrefix(stdout, "<!DOCTYPE html>") {
		t.Errorf("report -f -: exit %d, stdout starts %.40q, stderr %s", code, stdout, stderr)
	}
}

func TestReportFlags(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := runApp(t, "--dir", dir, "report", "--lang", "fr"); code != app.ExitUsage || !strings.Contains(stderr, "--lang en or --lang zh") {
		t.Errorf("--lang fr: exit %d, %s", code, stderr)
	}
	if code, _, stderr := runApp(t, "--dir", filepath.Join(dir, "missing"), "report"); code != app.ExitUsage || !strings.Contains(stderr, "does not exist") {
		t.Errorf("a missing lab directory: exit %d, %s", code, stderr)
	}
	// kill-master refuses --report - before it touches anything.
	if code, _, stderr := runApp(t, "--dir", dir, "kill-master", "--report", "-"); code != app.ExitUsage || !strings.Contains(stderr, "needs a file name") {
		t.Errorf("kill-master --report -: exit %d, %s", code, stderr)
	}
}
