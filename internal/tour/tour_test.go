package tour

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/lab/labtest"
	"github.com/sentinel-lab/sentinel-lab/internal/nodelog"
	"github.com/sentinel-lab/sentinel-lab/internal/probe/probetest"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// recorded reads what a real Valkey 8 lab answered and logged during a
// tour (testdata/valkey-8.0.1, taken from `tour -o json`).
func recorded(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/valkey-8.0.1/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// answers replies to the tour's commands on the fakes the way the real lab
// did, and on the second REPLICAOF writes the sync's recorded log lines
// into the two nodes' log files.
func answers(t *testing.T, fx *labtest.Lab, calls *[]string) {
	fx.Nodes.OnDo(answerFunc(t, fx, calls))
}

// answerFunc is what answers installs.
func answerFunc(t *testing.T, fx *labtest.Lab, calls *[]string) func(topology.Node, []any) (any, error) {
	ids := map[string]string{}
	for _, svc := range []string{"master", "node-1"} {
		ids[svc] = fx.Container(t, svc).ID
		fx.Engine.SetFile(ids[svc], topology.RedisLogFile, []byte("1:M 01 Dec 2026 20:43:50.000 * Ready to accept connections tcp\n"))
	}
	return func(n topology.Node, args []any) (any, error) {
		cmd := strings.TrimSpace(fmt.Sprintln(args...))
		*calls = append(*calls, n.Service+": "+cmd)
		switch {
		case cmd == "info server" && n.IsSentinel():
			return recorded(t, "info-server.sentinel-1.info"), nil
		case cmd == "info server":
			return recorded(t, "info-server.master.info"), nil
		case cmd == "info sentinel":
			return recorded(t, "info-sentinel.sentinel-1.info"), nil
		case cmd == "info replication" && n.Service == "master":
			return recorded(t, "info-master.master.info"), nil
		case cmd == "info replication":
			return recorded(t, "info-replica.node-1.info"), nil
		case cmd == "info stats":
			return "sync_full:3\r\nsync_partial_ok:0\r\nsync_partial_err:1\r\n", nil
		case strings.HasPrefix(cmd, "config get "):
			return []any{args[2], "yes"}, nil
		case cmd == "replicaof no one":
			return "OK", nil
		case strings.HasPrefix(cmd, "replicaof "):
			for svc, id := range ids {
				b, _ := fx.Engine.ReadFile(context.Background(), id, topology.RedisLogFile)
				fx.Engine.SetFile(id, topology.RedisLogFile, append(b, recorded(t, "full-sync."+svc+".log")...))
			}
			return "OK", nil
		}
		return nil, fmt.Errorf("no recorded answer to %q", cmd)
	}
}

// The INFO sections and a full resync, on fakes answering with a real
// lab's INFO and logs: the fields the seed names, in INFO's order, and the
// full resync's lines of both logs, made by REPLICAOF NO ONE then
// REPLICAOF the master the replica's INFO names.
func TestInfoAndFullSyncOnFakes(t *testing.T) {
	fx := labtest.New(t, nil)
	var calls []string
	answers(t, fx, &calls)
	ctx := context.Background()
	at, err := lookAround(ctx, fx.Session)
	if err != nil {
		t.Fatal(err)
	}
	secs := at.infoSections()
	if got := names(secs[1].Fields); !strings.HasPrefix(got, "role connected_slaves slave0 slave1 master_replid master_replid2 master_repl_offset") {
		t.Errorf("info-master fields: %s", got)
	}
	if got := names(secs[0].Fields); !strings.Contains(got, "valkey_version server_mode") || !strings.HasSuffix(got, "server_mode") {
		t.Errorf("info-server fields (Valkey 8 names the mode server_mode; the sentinel's comes last): %s", got)
	}
	if v, _ := field(secs[3].Fields, "sentinel-1", "master0"); !strings.HasPrefix(v, "name=redis-master,status=ok") {
		t.Errorf("info-sentinel master0: %q", v)
	}
	sec, err := fullSync(ctx, fx.Session, at, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	sent := strings.Join(calls, "\n")
	if !strings.Contains(sent, "node-1: replicaof no one\nnode-1: replicaof 172.31.66.10 6379") {
		t.Errorf("want REPLICAOF NO ONE then REPLICAOF the master node-1's INFO names; sent:\n%s", sent)
	}
	if d := sec.Did; d == nil || d.Kind != ResyncAction || d.Node != "node-1" || d.Target != "master" {
		t.Errorf("action %+v", sec.Did)
	}
	roles := map[string]int{}
	for _, l := range sec.Lines {
		roles[l.Node+" "+l.Role]++
	}
	if roles["master master"] == 0 || roles["node-1 replica"] == 0 || roles["master master"]+roles["node-1 replica"] != len(sec.Lines) {
		t.Errorf("lines by node and role: %v", roles)
	}
	if v, _ := field(sec.Fields, "node-1", "full_resync_replid"); v != "cc4ecc431029400e67c7cd25524fc660100ab769" {
		t.Errorf("full_resync_replid %q", v)
	}
}

func names(fs []Field) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Name)
	}
	return strings.Join(out, " ")
}

func field(fs []Field, node, name string) (string, bool) {
	for _, f := range fs {
		if f.Node == node && f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

// lines parses recorded log text as one node's lines.
func lines(t *testing.T, service, text string) []nodelog.Line {
	got, _ := nodelog.Parse(service, text, time.Time{})
	return got
}

// The partial resync and the sentinels' sections from recorded logs: the
// PSYNC and the backlog sent, the offsets as fields, the attempts a
// replica repeats every second shown once, the lines revive brought left
// out; the followers' and the leader's lines, the log-only ones included.
func TestPartialSyncAndSentinelsFromRecordedLogs(t *testing.T) {
	l := &logs{lines: map[string][]nodelog.Line{}}
	// node-2 tries the gone master again every second until REPLICAOF.
	retry := "1:S 01 Dec 2026 20:43:5%d.414 * Reconnecting to PRIMARY 172.31.66.10:6379\n1:S 01 Dec 2026 20:43:5%d.414 # Error condition on socket for SYNC: Connection refused\n"
	node2 := recorded(t, "partial-sync.node-2.log")
	cut := strings.Index(node2, "* Connecting to PRIMARY 172.31.66.11")
	cut = strings.LastIndex(node2[:cut], "\n") + 1
	var retries string
	for i := 6; i <= 7; i++ {
		retries += fmt.Sprintf(retry, i, i)
	}
	l.lines["node-2"] = lines(t, "node-2", node2[:cut]+retries+node2[cut:])
	l.lines["node-1"] = lines(t, "node-1", recorded(t, "partial-sync.node-1.log"))
	for _, s := range []string{"sentinel-1", "sentinel-2", "sentinel-3"} {
		name := "follower." + s + ".log"
		if s == "sentinel-3" {
			name = "leader." + s + ".log"
		}
		l.lines[s] = lines(t, s, recorded(t, name))
	}
	l.hold()
	l.lines["node-1"] = append(l.lines["node-1"], lines(t, "node-1", "1:M 01 Dec 2026 20:44:10.000 * Replica 172.31.66.10:6379 asks for synchronization\n")...)
	fo := &failedOver{logs: l, report: &failover.Report{
		NewMaster: failover.NodeRef{Service: "node-1"}, Leader: "sentinel-3", Followers: []string{"sentinel-1", "sentinel-2"}, Epoch: 1,
		Sentinels: []failover.SentinelRef{{Service: "sentinel-3", ID: "e53b9b0ff7bcf400daa546e9bef7f152a87a5bc4"}},
	}}
	fo.follower = info{node: topology.Node{Service: "node-2"}, pairs: []pair{{"master_replid", "f093354f"}, {"slave_repl_offset", "1342"}}}
	fo.newMaster = info{node: topology.Node{Service: "node-1"}, pairs: []pair{{"master_replid2", "cc4ecc431029400e67c7cd25524fc660100ab769"}, {"second_repl_offset", "456"}}}
	sec := fo.partialSection()
	for _, c := range [][3]string{{"node-2", "psync_offset", "456"}, {"node-1", "backlog_offset", "456"}, {"node-1", "backlog_bytes", "599"},
		{"node-2", "psync_replid", "cc4ecc431029400e67c7cd25524fc660100ab769"}, {"node-1", "second_repl_offset", "456"}} {
		if v, _ := field(sec.Fields, c[0], c[1]); v != c[2] {
			t.Errorf("partial-sync %s %s = %q, want %s", c[0], c[1], v, c[2])
		}
	}
	text := ""
	for _, line := range sec.Lines {
		text += line.Node + " " + line.Line + "\n"
	}
	if n := strings.Count(text, "node-2 1:S 01 Dec 2026 20:43:5"); n == 0 || strings.Count(text, "node-2 1:S 01 Dec 2026 20:43:56.414") > 0 {
		t.Errorf("node-2's lines, or its repeated reconnects shown again:\n%s", text)
	}
	if n := strings.Count(text, "Error condition on socket"); n != 2 {
		t.Errorf("the refused reconnects show %d times, want once for each replica:\n%s", n, text)
	}
	if strings.Contains(text, "20:44:10") {
		t.Errorf("a line read after the hold (revive's) is shown:\n%s", text)
	}
	follower, leader := fo.sentinelSection(Follower), fo.sentinelSection(Leader)
	checkHas(t, follower, "Next failover delay", "+vote-for-leader", "+switch-master")
	checkHas(t, leader, " voted for ", "+elected-leader", "+promoted-slave", "+failover-end")
	if v, _ := field(leader.Fields, "sentinel-3", "myid"); v == "" {
		t.Error("the leader's myid is not a field")
	}
}

func checkHas(t *testing.T, sec *Section, wants ...string) {
	t.Helper()
	var b strings.Builder
	for _, l := range sec.Lines {
		if l.Role != sec.ID {
			t.Errorf("%s: a line of role %q", sec.ID, l.Role)
		}
		b.WriteString(l.Line + "\n")
	}
	for _, w := range wants {
		if !strings.Contains(b.String(), w) {
			t.Errorf("%s: no %q in\n%s", sec.ID, w, b.String())
		}
	}
}

// With no replica linked to the master there is no sync to show: the tour
// says so and what to do, before it changes anything.
func TestNoLinkedReplica(t *testing.T) {
	fx := labtest.New(t, nil)
	var calls []string
	answers(t, fx, &calls)
	fx.Nodes.Now(func(s *probetest.State) { s.LinkDown("node-1", "node-2") })
	_, err := Run(context.Background(), fx.Session, Options{Timeout: time.Second}, func(*Tour, *Section) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "no replica of master has its link up") || !strings.Contains(err.Error(), "sentinel-lab revive") {
		t.Fatalf("err = %v", err)
	}
	for _, c := range calls {
		if strings.Contains(c, "replicaof") {
			t.Errorf("the tour changed the lab: %s", c)
		}
	}
}

// A whole tour on the fakes, the failover simulated as Sentinel makes it:
// every section in the seed's order, each handed to emit as it comes, the
// failover kept for the report. The logs are a real Valkey 8 lab's, written
// into the fake nodes' log files as the tour reaches them.
func TestRunOnFakes(t *testing.T) {
	fx := labtest.New(t, nil)
	fx.SimulateSentinel(&labtest.Sentinel{})
	var calls []string
	answer := answerFunc(t, fx, &calls)
	appendLog := func(svc, name string) {
		id := fx.Container(t, svc).ID
		path := topology.RedisLogFile
		if strings.HasPrefix(svc, "sentinel") {
			path = topology.SentinelLogFile
		}
		b, _ := fx.Engine.ReadFile(context.Background(), id, path)
		fx.Engine.SetFile(id, path, append(b, recorded(t, name)...))
	}
	for _, s := range []string{"sentinel-1", "sentinel-2", "sentinel-3"} {
		fx.Engine.SetFile(fx.Container(t, s).ID, topology.SentinelLogFile, []byte("1:X 01 Dec 2026 20:43:50.000 * Sentinel ID is x\n"))
	}
	fx.Engine.SetFile(fx.Container(t, "node-2").ID, topology.RedisLogFile, []byte("1:S 01 Dec 2026 20:43:50.000 * Ready to accept connections tcp\n"))
	written := false
	fx.Nodes.OnDo(func(n topology.Node, args []any) (any, error) {
		// After the failover the tour asks the new master for INFO: the
		// lines of the failover are in the logs by then.
		cmd := strings.TrimSpace(fmt.Sprintln(args...))
		if cmd == "info replication" && !written && !fx.Nodes.Answers("master") {
			written = true
			appendLog("node-1", "partial-sync.node-1.log")
			appendLog("node-2", "partial-sync.node-2.log")
			appendLog("sentinel-1", "follower.sentinel-1.log")
			appendLog("sentinel-2", "follower.sentinel-2.log")
			appendLog("sentinel-3", "leader.sentinel-3.log")
		}
		return answer(n, args)
	})
	var order []string
	tr, err := Run(context.Background(), fx.Session, Options{Timeout: 30 * time.Second}, func(got *Tour, sec *Section) error {
		order = append(order, sec.ID)
		if got.Server != "Valkey 8.0.1" || len(got.Nodes) != 6 {
			t.Errorf("at %s the tour knows server %q and %d nodes", sec.ID, got.Server, len(got.Nodes))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(order, " ") != strings.Join(IDs, " ") || len(tr.Sections) != len(IDs) {
		t.Fatalf("sections emitted %v, want %v", order, IDs)
	}
	if tr.Report() == nil || !tr.FaultAt.Equal(tr.Report().FaultAt) || len(tr.Syncs()) != 2 {
		t.Errorf("the failover is not kept for the report: %+v", tr.Report())
	}
	for _, sec := range tr.Sections[5:] {
		if sec.ID != FailoverSteps && len(sec.Lines) == 0 {
			t.Errorf("%s has no lines", sec.ID)
		}
	}
}
