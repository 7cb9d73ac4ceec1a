package lab

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/server"
	"github.com/sentinel-lab/sentinel-lab/internal/timers"
	"github.com/sentinel-lab/sentinel-lab/internal/wait"
)

// The sentinels' periods (internal/timers) are set at run time and lost
// when a sentinel restarts, so every command that starts or waits for
// sentinels ensures them (EnsureTimers), and status reads them
// (ReadTimers) and calls a sentinel that lost them unhealthy.

// TimersError refuses --timers fast on a server without SENTINEL DEBUG.
type TimersError struct {
	Image  string
	Server server.Server
	// ByTag: the server was read from the image's tag, so only its major
	// and minor version are known.
	ByTag bool
}

func (e *TimersError) Error() string {
	runs := e.Server.String()
	if e.ByTag {
		runs = fmt.Sprintf("%s %d.%d (by its tag)", e.Server.Kind.Title(), e.Server.Version.Major, e.Server.Version.Minor)
	}
	return fmt.Sprintf("--timers fast needs SENTINEL DEBUG (%s), and image %s runs %s, which has none; use --timers normal, or an image of %s",
		server.SentinelDebug.Needs(), e.Image, runs, server.SentinelDebug.Needs())
}

// IsUsage marks the error as the user's to fix.
func (e *TimersError) IsUsage() bool { return true }

// checkTimers refuses fast timers when the image's server is known to lack
// SENTINEL DEBUG: from its --version line when up asked the image, else
// from the image's tag (render, without Docker). A server that is not
// known, or an image that did not answer up's --version, is not refused
// here: its sentinels refuse when asked, and an image with no redis-server
// fails up with that error rather than a guess from its tag.
func (l *Lab) checkTimers() error {
	if l.Config.Timers != timers.Fast {
		return nil
	}
	srv, err := server.FromVersionOutput(l.ServerVersion)
	byTag := err != nil
	if byTag && l.serverAsked {
		return nil
	}
	if byTag {
		srv = serverFromTag(l.Image)
	}
	if srv.IsZero() || (srv.Kind == server.Redis && srv.Version == server.Version{}) || srv.Has(server.SentinelDebug) {
		return nil
	}
	return &TimersError{Image: l.Image, Server: srv, ByTag: byTag}
}

// sentinelNames are the services of the lab's sentinels.
func (l *Lab) sentinelNames() []string {
	var out []string
	for _, n := range l.Topology.Sentinels() {
		out = append(out, n.Service)
	}
	return out
}

func (s *Session) doOn(ctx context.Context, service string, args ...any) (any, error) {
	n, ok := s.Lab.Topology.Node(service)
	if !ok {
		return nil, fmt.Errorf("no node %s", service)
	}
	return s.Nodes().Do(ctx, n, args...)
}

// ReadTimers asks every sentinel which periods it runs.
func (s *Session) ReadTimers(ctx context.Context) timers.Report {
	return timers.Read(ctx, s.doOn, s.Lab.sentinelNames(), s.Lab.Config.Timers)
}

// EnsureTimers sets the lab's periods on every sentinel that answers and
// runs others (it restarted, or the lab's timers changed), saying so.
// Sentinels that do not answer are left for the next call. A server
// without SENTINEL DEBUG under fast timers is an error.
func (s *Session) EnsureTimers(ctx context.Context) (timers.Report, error) {
	r := timers.Ensure(ctx, s.doOn, s.Lab.sentinelNames(), s.Lab.Config.Timers)
	if fixed := r.Fixed(); len(fixed) > 0 {
		s.Progress.Printf("%s timers set on %s", r.Want, strings.Join(fixed, ", "))
	}
	for _, st := range r.Sentinels {
		if st.Unsupported && r.Want == timers.Fast {
			return r, &TimersError{Image: s.Lab.Image, Server: s.sentinelServer(ctx)}
		}
	}
	return r, nil
}

// sentinelServer is the server the data nodes report, which the
// sentinels run too (one image).
func (s *Session) sentinelServer(ctx context.Context) server.Server {
	for _, n := range s.Lab.Topology.DataNodes() {
		if ni := s.Nodes().Node(ctx, n); !ni.Server.IsZero() {
			return ni.Server
		}
	}
	return server.Server{}
}

// timersPending is the wait condition while some sentinel does not run the
// lab's periods yet; "" when every sentinel does.
func timersPending(r timers.Report) string {
	var parts []string
	if w := r.Wrong(); len(w) > 0 {
		parts = append(parts, fmt.Sprintf("%s timers not yet set on %s", r.Want, strings.Join(w, ", ")))
	}
	if u := r.Unanswered(); len(u) > 0 && r.Want == timers.Fast {
		parts = append(parts, fmt.Sprintf("%s timers wait for %s to answer", r.Want, strings.Join(u, ", ")))
	}
	return strings.Join(parts, "; ")
}

// TimersProblem is status's problem for sentinels that do not run the
// lab's periods, "" when they all do.
func TimersProblem(r timers.Report) string {
	w := r.Wrong()
	if len(w) == 0 {
		return ""
	}
	return fmt.Sprintf("%s do not run the lab's %s timers (restarted since they were set?); `sentinel-lab up` sets them again",
		strings.Join(w, ", "), r.Want)
}

// WaitTimers ensures the lab's periods until the sentinels among services
// that a command just started again (fault --for) answer and run them, at
// most timeout; other sentinels are set when they answer.
func (s *Session) WaitTimers(ctx context.Context, services []string, timeout time.Duration) error {
	strategy := wait.Strategy{Clock: s.Clock, Interval: 50 * time.Millisecond, Timeout: timeout}
	_, err := strategy.Until(ctx, func(ctx context.Context) (bool, string, error) {
		r, err := s.EnsureTimers(ctx)
		if err != nil {
			return false, "", err
		}
		var mine timers.Report
		mine.Want = r.Want
		for _, st := range r.Sentinels {
			if slices.Contains(services, st.Service) {
				mine.Sentinels = append(mine.Sentinels, st)
			}
		}
		p := timersPending(mine)
		return p == "", p, nil
	})
	var te *wait.TimeoutError
	if errors.As(err, &te) {
		return fmt.Errorf("the sentinels do not run the lab's %s timers after %s: %s; `sentinel-lab revive` or `up` sets them once they answer",
			s.Lab.Config.Timers, te.After.Round(100*time.Millisecond), te.Last)
	}
	return err
}
