package lab

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/probe"
)

// The first steps to ask for the nodes at once (the timers of every
// sentinel, from goroutines of their own) share one set of connections;
// under -race this failed on the unguarded lazy open.
func TestNodesOpensOnceForConcurrentCallers(t *testing.T) {
	var opened atomic.Int32
	// A non-nil value that is never called: the test is about the guard.
	var one probe.Nodes = (*unusedNodes)(nil)
	s := &Session{Lab: &Lab{}, OpenNodes: func(*Lab) probe.Nodes { opened.Add(1); return one }}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 16 {
		wg.Go(func() { <-start; s.Nodes() })
	}
	close(start)
	wg.Wait()
	if n := opened.Load(); n != 1 {
		t.Errorf("the nodes were opened %d times, want once", n)
	}
}

// unusedNodes is a probe.Nodes that is never called.
type unusedNodes struct{ probe.Nodes }
