package lab

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/timers"
	"github.com/sentinel-lab/sentinel-lab/internal/wait"
)

// waitHealthy polls the lab until it is healthy. A lab container that
// exits meanwhile fails the wait at once, with its last log lines.
func (s *Session) waitHealthy(ctx context.Context, timeout time.Duration, forget *forgetting) (probe.Health, timers.Report, error) {
	l := s.Lab
	var (
		last     probe.Health
		tr       timers.Report
		pendingT string
	)
	strategy := wait.Strategy{
		Clock: s.Clock, Interval: s.interval(), Timeout: timeout,
		OnChange: func(_ time.Duration, cond string) { s.Progress.Printf("waiting: %s", cond) },
	}
	_, err := strategy.Until(ctx, func(ctx context.Context) (bool, string, error) {
		if err := s.checkNoneExited(ctx); err != nil {
			return false, "", err
		}
		snap := s.Snapshot(ctx)
		if err := wrongPassword(l, snap); err != nil {
			return false, "", err
		}
		if did, err := forget.step(ctx, s.Nodes(), l, snap); err != nil {
			return false, "", err
		} else if did != "" {
			s.Progress.Printf("%s", did)
			return false, "the sentinels forget the nodes that are gone", nil
		}
		// Each sentinel gets the lab's periods as soon as it answers,
		// before it has to find anyone.
		var err error
		if tr, err = s.EnsureTimers(ctx); err != nil {
			return false, "", err
		}
		last, pendingT = probe.Evaluate(l.Topology, snap), timersPending(tr)
		if last.Healthy && pendingT != "" {
			return false, pendingT, nil
		}
		return last.Healthy, last.Condition(), nil
	})
	var te *wait.TimeoutError
	if errors.As(err, &te) {
		problems := last.Problems
		if pendingT != "" {
			problems = append(problems, pendingT)
		}
		return last, tr, fmt.Errorf("the lab is not healthy after %s (--timeout); still not true: %s",
			te.After.Round(100*time.Millisecond), strings.Join(problems, "; "))
	}
	return last, tr, err
}

// ExitedError is a lab container that stopped on its own.
type ExitedError struct {
	Service string
	State   string
	Logs    string
	// While says when: "" is while the lab was starting.
	While string
}

func (e *ExitedError) Error() string {
	msg := fmt.Sprintf("%s stopped %s (state %s)", e.Service, cmp.Or(e.While, "while the lab was starting"), e.State)
	if logs := strings.TrimSpace(e.Logs); logs != "" {
		msg += "; its last lines:\n" + indent(logs, "    ")
	}
	return msg + exitHint(e.Service, e.Logs)
}

func (s *Session) checkNoneExited(ctx context.Context) error {
	return s.CheckExited(ctx, nil, "")
}

// LastLines returns the container's own output (where start-up errors such
// as a bad conf go) and, when there is none, the end of its log file.
func (s *Session) LastLines(ctx context.Context, c engine.Container, n int) string {
	out, _ := s.Engine.Logs(ctx, c.ID, n)
	if strings.TrimSpace(out) != "" {
		return out
	}
	node, ok := s.Lab.Topology.Node(c.Service)
	if !ok {
		return ""
	}
	if b, err := s.Engine.ReadFile(ctx, c.ID, node.LogFile()); err == nil {
		return tail(string(b), n)
	}
	return ""
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+prefix)
}
