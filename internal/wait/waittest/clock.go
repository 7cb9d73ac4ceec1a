// Package waittest holds a fake clock for unit tests of code that waits.
package waittest

import (
	"sync"
	"time"
)

// Clock is a fake wait.Clock that moves only when the code under test
// waits on it: After(d) advances the time by d at once. One goroutine
// waiting on it gives a deterministic run in no wall time.
type Clock struct {
	mu    sync.Mutex
	now   time.Time
	waits int
}

// Start is where every fake clock begins.
var Start = time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)

// NewClock returns a clock at Start.
func NewClock() *Clock { return &Clock{now: Start} }

// Now is the fake time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After advances the clock by d and returns a channel that is ready.
func (c *Clock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.waits++
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

// Advance moves the clock by d without anyone waiting, for a step that
// takes time (an engine call, say).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Since is how long after Start the clock is.
func (c *Clock) Since() time.Duration { return c.Now().Sub(Start) }

// Waits counts the calls of After.
func (c *Clock) Waits() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.waits
}
