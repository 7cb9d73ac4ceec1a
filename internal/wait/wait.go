// Package wait polls a condition until it holds, the way a lab waits for
// its nodes: with an interval, a timeout, and an error that carries the last
// condition that did not hold rather than just "timeout".
package wait

import (
	"context"
	"fmt"
	"time"
)

// Clock is the time source; tests pass a fake one.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// RealClock is the wall clock.
type RealClock struct{}

// Now is time.Now.
func (RealClock) Now() time.Time { return time.Now() }

// After is time.After.
func (RealClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Check reports whether the condition holds and, if not, what was seen.
// A non-nil error stops the wait at once (a container exited, say).
type Check func(ctx context.Context) (ok bool, condition string, err error)

// Strategy is how to wait.
type Strategy struct {
	Clock    Clock
	Interval time.Duration
	Timeout  time.Duration
	// OnChange, when set, is called each time the condition seen changes,
	// so progress shows what is being waited for.
	OnChange func(elapsed time.Duration, condition string)
}

// TimeoutError says what still did not hold when time ran out.
type TimeoutError struct {
	After time.Duration
	Last  string
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("not ready after %s: %s", e.After.Round(100*time.Millisecond), e.Last)
}

// Until polls check every Interval until it holds, fails, Timeout passes or
// ctx ends. It returns how long it waited.
func (s Strategy) Until(ctx context.Context, check Check) (time.Duration, error) {
	clock := s.Clock
	if clock == nil {
		clock = RealClock{}
	}
	start := clock.Now()
	last := ""
	for {
		ok, cond, err := check(ctx)
		elapsed := clock.Now().Sub(start)
		if err != nil {
			return elapsed, err
		}
		if ok {
			return elapsed, nil
		}
		if cond != last && s.OnChange != nil {
			s.OnChange(elapsed, cond)
		}
		last = cond
		if s.Timeout > 0 && elapsed >= s.Timeout {
			return elapsed, &TimeoutError{After: elapsed, Last: last}
		}
		select {
		case <-ctx.Done():
			return elapsed, fmt.Errorf("%w (last seen: %s)", ctx.Err(), last)
		case <-clock.After(s.Interval):
		}
	}
}
