package tour

import (
	"context"
	"fmt"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/fault"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/nodelog"
)

// FailoverAction is what the tour does for the failover sections:
// kill-master (SIGKILL of the master), then revive.
const FailoverAction = "failover"

// failedOver is a failover the tour made and what it read around it.
type failedOver struct {
	s      *lab.Session
	report *failover.Report
	// logs are every node's lines from before the fault until the lab was
	// whole again.
	logs *logs
	// newMaster and follower are INFO right after the failover; follower is
	// the replica that followed the new master, "" when none did.
	newMaster, follower info
	// settings are the sentinels' settings for the master.
	settings []Field
	took     time.Duration
}

// Report is the failover the tour made, for `sentinel-lab report`.
func (t *Tour) Report() *failover.Report { return t.failover }

// runFailover kills the master, waits for the failover, reads INFO of the
// new master and its follower, then revives the old master.
func runFailover(ctx context.Context, s *lab.Session, at *around, timeout time.Duration) (*failedOver, error) {
	l, err := markLogs(ctx, s, s.Lab.Topology.Nodes...)
	if err != nil {
		return nil, err
	}
	fo := &failedOver{s: s, logs: l}
	fo.settings = sentinelSettings(ctx, s.Nodes(), at.sentinel.node, s.Lab.Config.MasterName,
		"down-after-milliseconds", "quorum", "failover-timeout", "parallel-syncs")
	start := s.Now()
	r, err := failover.KillMaster(ctx, s, failover.Options{Fault: fault.Spec{Mode: fault.Kill}, Timeout: timeout})
	if err != nil {
		return nil, err
	}
	fo.report = r
	t := s.Lab.Topology
	if nm, ok := t.Node(r.NewMaster.Service); ok {
		fo.newMaster, _ = askInfo(ctx, s.Nodes(), nm, "replication")
	}
	for _, rs := range r.Resyncs {
		if n, ok := t.Node(rs.Service); ok {
			fo.follower, _ = askInfo(ctx, s.Nodes(), n, "replication")
			break
		}
	}
	l.read(ctx)
	l.hold()
	if _, err := failover.Revive(ctx, s, failover.ReviveOptions{Timeout: timeout + 30*time.Second}); err != nil {
		return nil, fmt.Errorf("the failover went through, but reviving %s after it failed: %w", r.OldMaster.Service, err)
	}
	l.read(ctx)
	fo.took = s.Now().Sub(start)
	return fo, nil
}

// partialSection is the follower's partial resync with the new master,
// both logs, and the offsets that tie them to INFO.
func (fo *failedOver) partialSection() *Section {
	r := fo.report
	sec := &Section{ID: PartialSync}
	fol := fo.follower.node.Service
	if fol == "" {
		return sec
	}
	nm := r.NewMaster.Service
	sec.Lines = fo.logs.replLines(map[string]string{nm: "master", fol: "replica"}, nm, fol)
	if tried, ok := fo.logs.first(fol, nodelog.SyncPartialTried); ok && len(tried.Args) == 2 {
		sec.Fields = append(sec.Fields, Field{Node: fol, Name: "psync_replid", Value: tried.Args[0]},
			Field{Node: fol, Name: "psync_offset", Value: tried.Args[1]})
	}
	if sent, ok := fo.logs.first(nm, nodelog.ServePartial); ok && len(sent.Args) == 2 {
		sec.Fields = append(sec.Fields, Field{Node: nm, Name: "backlog_bytes", Value: sent.Args[0]},
			Field{Node: nm, Name: "backlog_offset", Value: sent.Args[1]})
	}
	sec.Fields = append(sec.Fields, fo.newMaster.fields([]string{"master_replid", "master_replid2", "second_repl_offset",
		"master_repl_offset", "repl_backlog_size", "repl_backlog_first_byte_offset", "repl_backlog_histlen"})...)
	sec.Fields = append(sec.Fields, fo.follower.fields([]string{"master_replid", "slave_repl_offset"})...)
	return sec
}

// stepsSection is the seed's failover steps with this lab's settings and
// what this failover chose.
func (fo *failedOver) stepsSection() *Section {
	r := fo.report
	sec := &Section{ID: FailoverSteps, Fields: fo.settings,
		Did: &Action{Kind: FailoverAction, Node: r.OldMaster.Service, Target: r.NewMaster.Service, TookMS: fo.took.Milliseconds()}}
	sec.Fields = append(sec.Fields,
		Field{Name: "old_master", Value: r.OldMaster.Service + " " + r.OldMaster.Address},
		Field{Name: "leader", Value: r.Leader},
		Field{Name: "epoch", Value: itoa(r.Epoch)},
		Field{Name: "new_master", Value: r.NewMaster.Service + " " + r.NewMaster.Address},
		Field{Name: "failover_ms", Value: itoa(r.FailoverMS)})
	return sec
}

// sentinelSection is the followers' (Follower) or the leader's (Leader)
// log lines of the failover, the log-only ones included.
func (fo *failedOver) sentinelSection(id string) *Section {
	r := fo.report
	sec := &Section{ID: id}
	var who []string
	if id == Leader {
		who = []string{r.Leader}
	} else {
		who = r.Followers
	}
	for _, svc := range who {
		for _, ref := range r.Sentinels {
			if ref.Service == svc && ref.ID != "" {
				sec.Fields = append(sec.Fields, Field{Node: svc, Name: "myid", Value: ref.ID})
			}
		}
		for _, n := range nodelog.SentinelNotes(fo.logs.lines[svc]) {
			sec.Lines = append(sec.Lines, LogLine{Node: svc, Line: n.Text, Role: id, Time: n.Time})
		}
	}
	if id == Leader {
		sec.Fields = append(sec.Fields, Field{Node: r.Leader, Name: "epoch", Value: itoa(r.Epoch)})
	}
	return sec
}
