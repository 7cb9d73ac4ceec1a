package cli_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/app"
	"github.com/sentinel-lab/sentinel-lab/internal/cli"
	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/lab/labtest"
	"github.com/sentinel-lab/sentinel-lab/internal/lablock"
	"github.com/sentinel-lab/sentinel-lab/internal/probe/probetest"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// onFakes is a factory whose every command runs against the lab's fakes.
func onFakes(fx *labtest.Lab) *cli.Factory {
	return &cli.Factory{
		NewEngine: func() (engine.Engine, error) { return fx.Engine, nil },
		OpenNodes: fx.OpenNodes, Clock: fx.Clock,
	}
}

// runOn runs a command line in the fake lab's directory; a failure fails
// the test.
func runOn(t *testing.T, fx *labtest.Lab, args ...string) string {
	t.Helper()
	out, errOut, err := run(onFakes(fx), append([]string{"--dir", fx.Dir.Root}, args...)...)
	if err != nil {
		t.Fatalf("%v: %v\nstderr:\n%s", args, err, errOut)
	}
	return out
}

func TestStatusOnFakes(t *testing.T) {
	fx := labtest.New(t, nil)
	out := runOn(t, fx, "status")
	if !strings.Contains(out, `Lab "alpha" is healthy. Master: master at`) || !strings.Contains(out, "sentinel-3") {
		t.Errorf("status:\n%s", out)
	}
	var r lab.Report
	if err := json.Unmarshal([]byte(runOn(t, fx, "status", "-o", "json")), &r); err != nil || !r.Healthy || len(r.Nodes) != 3 {
		t.Errorf("status -o json: %+v, %v", r, err)
	}
	fx.Nodes.Now(func(s *probetest.State) { s.Down("node-2") })
	if out := runOn(t, fx, "status"); !strings.Contains(out, "NOT healthy") || !strings.Contains(out, "node-2 is not yet a connected replica") {
		t.Errorf("status of a lab missing a replica:\n%s", out)
	}
}

// The user's round: kill the master, read the failover, revive it, read
// the report; each command's output is what a person reads.
func TestKillMasterReviveAndReportOnFakes(t *testing.T) {
	fx := labtest.New(t, nil)
	fx.SimulateSentinel(&labtest.Sentinel{})
	html := filepath.Join(t.TempDir(), "failover.html")

	out := runOn(t, fx, "kill-master", "--report", html)

	for _, want := range []string{
		`Failover of "redis-master": master (`, "first sentinel (sentinel-2) reports the new master",
		"sentinel-1 (leader)", "votes for sentinel-1 as leader of epoch 1", "Next: sentinel-lab status, then sentinel-lab revive",
	} {
		if !strings.Contains(out, want) && !strings.Contains(out, strings.Replace(want, "sentinel-2", "sentinel-1", 1)) {
			t.Errorf("kill-master does not say %q:\n%s", want, out)
		}
	}
	if b, err := os.ReadFile(html); err != nil || !strings.Contains(string(b), "<html") {
		t.Errorf("--report wrote %d bytes: %v", len(b), err)
	}
	saved, err := failover.LastReport(fx.Dir)
	if err != nil || saved == nil || saved.NewMaster.Service != "node-1" || saved.Events[0].Explanation == "" {
		t.Fatalf("saved report %+v, %v; want the failover to node-1, explained", saved, err)
	}

	out = runOn(t, fx, "revive")
	if !strings.Contains(out, "master (stopped) is back as a replica of node-1") {
		t.Errorf("revive:\n%s", out)
	}
	out = runOn(t, fx, "report", "-f", "-", "--lang", "zh")
	if !strings.Contains(out, "故障迁移报告") {
		t.Errorf("report --lang zh is not in Chinese")
	}
	var js failover.Report
	fx2 := labtest.New(t, nil)
	fx2.SimulateSentinel(&labtest.Sentinel{})
	if err := json.Unmarshal([]byte(runOn(t, fx2, "kill-master", "-o", "json", "--lang", "zh")), &js); err != nil || js.Events[0].Explanation == "" || !strings.ContainsAny(js.Events[0].Explanation, "主哨") {
		t.Errorf("kill-master -o json --lang zh: %v, first event %+v", err, js.Events)
	}
	out = runOn(t, fx2, "revive", "-o", "json")
	var rv failover.ReviveReport
	if err := json.Unmarshal([]byte(out), &rv); err != nil || rv.Master.Service != "node-1" || len(rv.Revived) != 1 {
		t.Errorf("revive -o json: %s (%v)", out, err)
	}
}

func TestSoakOnFakes(t *testing.T) {
	fx := labtest.New(t, nil)
	fx.SimulateSentinel(&labtest.Sentinel{})
	_, errOut, err := run(onFakes(fx), "--dir", fx.Dir.Root, "soak", "--rounds", "2")
	if err != nil {
		t.Fatalf("soak: %v\n%s", err, errOut)
	}
	if !strings.Contains(errOut, "round 1/2: master -> node-1") || !strings.Contains(errOut, "round 2/2: node-1 -> master") {
		t.Errorf("soak progress:\n%s", errOut)
	}

	fx = labtest.New(t, nil)
	fx.SimulateSentinel(&labtest.Sentinel{ExtraEpochs: 1})
	out, _, err := run(onFakes(fx), "--dir", fx.Dir.Root, "soak", "--rounds", "1")
	if err == nil || !strings.Contains(err.Error(), "1 of 1 rounds did not converge cleanly") || app.IsUsage(err) {
		t.Errorf("a soak with a failed round: %v", err)
	}
	if !strings.Contains(out, "Soak: 0 of 1 rounds converged cleanly") || !strings.Contains(out, "round 1: 2 new epochs") {
		t.Errorf("soak summary:\n%s", out)
	}
}

func TestLogsAndCLIOnFakes(t *testing.T) {
	fx := labtest.New(t, nil)
	fx.Engine.SetFile(fx.Container(t, "master").ID, "/logs/redis.log", []byte("1:M 01 Dec 2026 16:00:00.000 * Ready to accept connections tcp\n"))
	out := runOn(t, fx, "logs", "master")
	if !strings.Contains(out, "master") || !strings.Contains(out, "Ready to accept connections") {
		t.Errorf("logs master:\n%s", out)
	}
	if _, _, err := run(onFakes(fx), "--dir", fx.Dir.Root, "logs", "node-9"); err == nil || !app.IsUsage(err) {
		t.Errorf("logs of an unknown node: %v", err)
	}

	var ran engine.ExecSpec
	fx.Engine.OnExec(func(c engine.Container, spec engine.ExecSpec) (int, error) {
		ran = spec
		spec.Stdout.Write([]byte("PONG\n"))
		return 0, nil
	})
	if out := runOn(t, fx, "cli", "master", "PING"); out != "PONG\n" {
		t.Errorf("cli printed %q", out)
	}
	if strings.Join(ran.Cmd, " ") != "redis-cli -h 127.0.0.1 -p 6379 PING" || len(ran.Env) != 1 || !strings.HasPrefix(ran.Env[0], "REDISCLI_AUTH=") {
		t.Errorf("ran %v with env %v", ran.Cmd, ran.Env)
	}
	fx.Engine.OnExec(func(engine.Container, engine.ExecSpec) (int, error) { return 1, nil })
	var exit *cli.ExitError
	if _, _, err := run(onFakes(fx), "--dir", fx.Dir.Root, "cli", "master", "BOGUS"); err == nil || !asExit(err, &exit) || exit.Code != 1 {
		t.Errorf("cli exit: %v", err)
	}
}

func asExit(err error, target **cli.ExitError) bool {
	e, ok := err.(*cli.ExitError)
	*target = e
	return ok
}

func TestExportOnFakes(t *testing.T) {
	fx := labtest.New(t, nil)
	fx.Nodes.OnDo(func(topology.Node, []any) (any, error) { return "ok", nil })
	dir := filepath.Join(t.TempDir(), "export")
	out := runOn(t, fx, "export", dir)
	if !strings.Contains(out, `Exported lab "alpha"`) {
		t.Errorf("export:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "README.txt")); err != nil {
		t.Error(err)
	}
	if _, _, err := run(onFakes(fx), "--dir", fx.Dir.Root, "export", "a", "b"); err == nil || !app.IsUsage(err) {
		t.Errorf("export with two folders: %v", err)
	}
}

func TestDownOnFakes(t *testing.T) {
	fx := labtest.New(t, nil)
	out := runOn(t, fx, "down", "--volumes")
	if !strings.Contains(out, `Lab "alpha" is down: removed 6 containers and 1 networks.`) || !strings.Contains(out, "Deleted 6 data folders") {
		t.Errorf("down --volumes:\n%s", out)
	}
}

// One command changes a lab at a time; reading it never waits.
func TestMutatingCommandsTakeTheLabsLock(t *testing.T) {
	fx := labtest.New(t, nil)
	held, err := lablock.Acquire(context.Background(), fx.Dir, "soak", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"kill-master"}, {"revive"}, {"up"}, {"down"}, {"soak", "--rounds", "1"}} {
		_, _, err := run(onFakes(fx), append([]string{"--dir", fx.Dir.Root}, args...)...)
		if err == nil || !strings.Contains(err.Error(), "`sentinel-lab soak` (pid ") || !app.IsUsage(err) {
			t.Errorf("%v while soak holds the lab: %v", args, err)
		}
	}
	if out := runOn(t, fx, "status"); !strings.Contains(out, "is healthy") {
		t.Errorf("status while the lab is locked:\n%s", out)
	}
	if c := fx.Container(t, "master"); c.State != engine.StateRunning {
		t.Errorf("a refused kill-master faulted the master (%s)", c.State)
	}
	held.Release()
	if out := runOn(t, fx, "revive"); !strings.Contains(out, "Nothing to revive") {
		t.Errorf("revive once the lock is free:\n%s", out)
	}
}
