package failover

import (
	"context"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/readiness"
)

// HeldBack is what kept the sentinels from starting a failover when
// kill-master was about to fault the master: an earlier attempt or vote
// ("Next failover delay" in their logs).
type HeldBack struct {
	Until time.Time        `json:"until"`
	Held  []readiness.Hold `json:"held"`
	// WaitedMS is how long kill-master waited before faulting; with
	// Forced it faulted at once, and no failover can start before Until.
	WaitedMS int64    `json:"waited_ms"`
	Forced   bool     `json:"forced"`
	Why      []string `json:"why"`
}

// awaitReady checks, from the sentinels' logs of the last 2 x
// failover-timeout, whether they can start a failover now; when an
// earlier attempt holds them back it waits until they can, or with force
// goes on at once. It returns what held them back, nil when nothing did.
func awaitReady(ctx context.Context, s *lab.Session, force bool) (*HeldBack, error) {
	window := 2*s.Lab.Config.FailoverTimeout + time.Second
	r, err := s.Readiness(ctx, s.Now().Add(-window))
	if err != nil || r.HeldUntil.IsZero() {
		return nil, nil // logs that cannot be read hold nobody back
	}
	hb := &HeldBack{Until: r.HeldUntil, Held: r.Held, Forced: force, Why: r.Describe(s.Lab.Config.DownAfter)}
	for _, line := range hb.Why {
		s.Progress.Printf("held back: %s", line)
	}
	if force {
		s.Progress.Printf("faulting anyway (--force): no failover can start before %s", r.HeldUntil.Format("15:04:05"))
		return hb, nil
	}
	wait := r.HeldUntil.Sub(s.Now())
	s.Progress.Printf("waiting %s until the sentinels can fail over (--force faults now)", wait.Round(100*time.Millisecond))
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-s.Time().After(wait):
	}
	hb.WaitedMS = wait.Milliseconds()
	return hb, nil
}
