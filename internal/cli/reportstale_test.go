package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/fault"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
)

// Issue 17: after a kill-master killed mid-way, report rendered the
// previous failover without a word. It says the page is older than the
// last fault; the fault of the report itself is no later fault.
func TestReportSaysItIsOlderThanTheLastFault(t *testing.T) {
	dir := labdir.Dir{Root: t.TempDir()}
	at := time.Date(2026, 12, 1, 14, 30, 30, 0, time.Local)
	r := &failover.Report{Lab: "t", MasterName: "redis-master", Mode: fault.Kill, FaultAt: at,
		OldMaster: failover.NodeRef{Service: "master"}, NewMaster: failover.NodeRef{Service: "node-2"},
		DownAfterMS: 1000, Phases: failover.Phases{FailoverMS: 1900, AgreedMS: 2000, PromotedMS: 1300, ReplicasLinkedMS: 2100, ConvergedMS: 2100},
		Events: []failover.Event{{Sentinel: "sentinel-1", AtMS: 1050, Type: "+sdown", Detail: "master redis-master 10.0.0.10 6379"}}}
	if err := failover.SaveReport(dir, r); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir.Root, "r.html")
	if err := failover.MarkFault(dir, failover.FaultMark{At: at.Add(-time.Millisecond), Mode: fault.Kill, Master: "master"}); err != nil {
		t.Fatal(err)
	}
	if _, _, stderr := runApp(t, "--dir", dir.Root, "report", "-f", file); strings.Contains(stderr, "older") {
		t.Errorf("the report's own fault counted as a later one:\n%s", stderr)
	}

	if err := failover.MarkFault(dir, failover.FaultMark{At: at.Add(5 * time.Minute), Mode: fault.Stop, Master: "node-2"}); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runApp(t, "--dir", dir.Root, "report", "-f", file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"note: this is the failover faulted at 14:30:30 (master -> node-2)", "faulted again at 14:35:30 (stop of node-2)", "older than the last fault"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("report does not say %q:\n%s", want, stderr)
		}
	}
}
