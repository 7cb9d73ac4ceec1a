package lab

import (
	"context"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/render"
)

// A replica that starts before its master listens retries the connection
// on its once-a-second replication cron, and a sentinel that cannot reach
// the master at once waits for its next try too: a lab started all at
// once is healthy only when those retries come round. up therefore starts
// the lab in two stages, in either timer mode: first the data nodes that
// start as masters (by their confs) and any service of the override file,
// then, as soon as a master answers, the replicas and the sentinels.
// Plain `docker compose up` of the same files starts everything at once
// and gets there a little later: the compose file has no order of its own.

// masterAnswerTimeout bounds the wait for the first stage: a master that
// does not answer by then (a bad conf) is found by the health wait, which
// names it with its last lines.
const masterAnswerTimeout = 10 * time.Second

// stages splits actions into what starts first and what follows once a
// master answers; masters are the services of the first stage that the
// caller waits for.
func (l *Lab) stages(actions []action) (first, then []action, masters []string) {
	for _, a := range actions {
		n, ok := l.Topology.Node(a.plan.Service)
		switch {
		case ok && (n.IsSentinel() || render.Follows(l.Dir, n)):
			then = append(then, a)
		default:
			first = append(first, a)
			if ok {
				masters = append(masters, n.Service)
			}
		}
	}
	return first, then, masters
}

// applyStaged applies the plan in its two stages.
func (s *Session) applyStaged(ctx context.Context, actions []action, res *UpResult, m *made) error {
	first, then, masters := s.Lab.stages(actions)
	if err := s.apply(ctx, first, res, m); err != nil {
		return err
	}
	if len(then) > 0 && len(masters) > 0 {
		if err := s.awaitAnswer(ctx, masters); err != nil {
			return err
		}
	}
	return s.apply(ctx, then, res, m)
}

// awaitAnswer polls, every 20 ms, until one of services answers INFO, at
// most masterAnswerTimeout or until ctx ends. A master that stopped (a bad
// conf) fails it at once, with its last lines, as the health wait would.
func (s *Session) awaitAnswer(ctx context.Context, services []string) error {
	deadline := s.Now().Add(masterAnswerTimeout)
	for poll := 0; s.Now().Before(deadline) && ctx.Err() == nil; poll++ {
		for _, svc := range services {
			if n, ok := s.Lab.Topology.Node(svc); ok && s.Nodes().Node(ctx, n).Reachable {
				return nil
			}
		}
		if poll%5 == 4 { // every 100 ms: the engine is asked less often
			if err := s.CheckExited(ctx, services, ""); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.Time().After(20 * time.Millisecond):
		}
	}
	return nil
}
