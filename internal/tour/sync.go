package tour

import (
	"context"
	"fmt"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/nodelog"
)

// ResyncAction is what the tour does for a full sync: REPLICAOF NO ONE,
// then REPLICAOF the same master. The replica keeps its data until the
// master's snapshot replaces it with the same keys; nothing on disk is
// deleted. Its replication ID changed when it became a master for that
// moment, so the master cannot continue it and sends a whole snapshot.
const ResyncAction = "resync"

// syncStepsSection is the seed's six steps of a sync, with the settings of
// this lab's master that decide how they go.
func syncStepsSection(ctx context.Context, s *lab.Session, at *around) *Section {
	return &Section{ID: SyncSteps, Fields: config(ctx, s.Nodes(), at.master.node,
		"repl-diskless-sync", "repl-diskless-sync-delay", "repl-backlog-size", "repl-backlog-ttl", "save")}
}

// fullSync makes the tour's replica sync afresh from its master and shows
// both logs of it.
func fullSync(ctx context.Context, s *lab.Session, at *around, timeout time.Duration) (*Section, error) {
	m, r := at.master.node, at.replica.node
	l, err := markLogs(ctx, s, m, r)
	if err != nil {
		return nil, err
	}
	host, port := at.masterAddr()
	start := s.Now()
	if _, err := s.Nodes().Do(ctx, r, "replicaof", "no", "one"); err != nil {
		return nil, fmt.Errorf("REPLICAOF NO ONE on %s: %w", r.Service, err)
	}
	if _, err := s.Nodes().Do(ctx, r, "replicaof", host, port); err != nil {
		return nil, fmt.Errorf("%s is a master now and did not take REPLICAOF %s %s (%w): `sentinel-lab revive` lets the sentinels turn it back into a replica",
			r.Service, host, port, err)
	}
	err = l.waitFor(ctx, timeout, "waiting for the full sync of "+r.Service, func() (bool, string) {
		if !l.has(r.Service, nodelog.SyncDone) || !l.has(m.Service, nodelog.ServeDone) {
			return false, fmt.Sprintf("%s and %s have not logged the end of the sync yet", r.Service, m.Service)
		}
		ni := s.Nodes().Node(ctx, r)
		return ni.MasterLinkStatus == "up", fmt.Sprintf("%s's link to %s is %s", r.Service, m.Service, ni.MasterLinkStatus)
	})
	if err != nil {
		return nil, err
	}
	sec := &Section{ID: FullSync, Did: &Action{Kind: ResyncAction, Node: r.Service, Target: m.Service, TookMS: s.Now().Sub(start).Milliseconds()}}
	sec.Lines = l.replLines(map[string]string{m.Service: "master", r.Service: "replica"}, m.Service, r.Service)
	if full, ok := l.first(r.Service, nodelog.SyncFull); ok && len(full.Args) == 2 {
		sec.Fields = append(sec.Fields, Field{Node: r.Service, Name: "full_resync_replid", Value: full.Args[0]},
			Field{Node: r.Service, Name: "full_resync_offset", Value: full.Args[1]})
	}
	if after, err := askInfo(ctx, s.Nodes(), r, "replication"); err == nil {
		sec.Fields = append(sec.Fields, after.fields([]string{"master_link_status", "master_replid", "slave_repl_offset"})...)
	}
	if stats, err := askInfo(ctx, s.Nodes(), m, "replication", "stats"); err == nil {
		sec.Fields = append(sec.Fields, stats.fields([]string{"master_replid", "master_repl_offset", "sync_full", "sync_partial_ok", "sync_partial_err"})...)
	}
	return sec, nil
}
