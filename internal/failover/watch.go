package failover

import (
	"context"
	"sync"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// afterConverged bounds how long the timeline keeps recording once the lab
// converged, waiting for the leader's +failover-end.
const afterConverged = 3 * time.Second

// watch polls the watched sentinels and the data nodes every o.Poll on the
// session's clock, feeding the tracker, until the lab converged and the
// leader closed the failover, or o.Timeout after t0.
func watch(ctx context.Context, s *lab.Session, tr *Tracker, rec *Recorder, watched []topology.Node, o Options, t0 time.Time) error {
	clock := s.Time()
	deadline := t0.Add(o.Timeout)
	for {
		for _, note := range tr.Observe(poll(ctx, s, tr, watched)) {
			s.Progress.Printf("%s", note)
		}
		// Read on every poll: the recorder reads the subscriptions only
		// when asked, and their buffers must not fill.
		events := rec.Events(t0)
		if o.During != nil {
			if err := o.During(ctx, events); err != nil {
				return err
			}
		}
		now := clock.Now()
		// Once converged, keep recording until the leader closes the
		// failover, so the timeline holds the whole story.
		if tr.Converged() && (leaderDone(events) || now.Sub(tr.ConvergedAt()) > afterConverged) {
			return nil
		}
		if now.After(deadline) {
			return &NoFailoverError{After: now.Sub(t0)}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-clock.After(o.Poll):
		}
	}
}

// poll asks every watched sentinel where the master is and, once one names
// a new master, every data node but the old master how it replicates.
func poll(ctx context.Context, s *lab.Session, tr *Tracker, watched []topology.Node) Poll {
	nodes := s.Nodes()
	answers := make([]string, len(watched))
	errs := make([]error, len(watched))
	var wg sync.WaitGroup
	for i, n := range watched {
		wg.Go(func() { answers[i], errs[i] = nodes.MasterAddr(ctx, n) })
	}
	wg.Wait()
	p := Poll{At: s.Now(), Named: map[string]string{}}
	for i, n := range watched {
		if errs[i] != nil {
			p.Silent = append(p.Silent, n.Service)
		} else {
			p.Named[n.Service] = answers[i]
		}
	}
	if !tr.WantsNodes(p.Named) {
		return p
	}
	var data []topology.Node
	for _, n := range s.Lab.Topology.DataNodes() {
		if n != tr.old {
			data = append(data, n)
		}
	}
	infos := make([]probe.NodeInfo, len(data))
	for i, n := range data {
		wg.Go(func() { infos[i] = nodes.Node(ctx, n) })
	}
	wg.Wait()
	p.NodesAt, p.Nodes = s.Now(), map[string]probe.NodeInfo{}
	for i, n := range data {
		p.Nodes[n.Service] = infos[i]
	}
	return p
}

// leaderDone tells whether the sentinel that led published +failover-end:
// the last one elected, as a leader that crashed leaves the failover to
// another, elected later.
func leaderDone(events []Event) bool {
	leader := ""
	for _, e := range events {
		if e.Type == "+elected-leader" {
			leader = e.Sentinel
		}
	}
	for _, e := range events {
		if leader != "" && e.Sentinel == leader && e.Type == "+failover-end" {
			return true
		}
	}
	return false
}
