package main

import (
	"context"
	"strings"
	"testing"
)

func TestRejoinedMSReadsTheOldMaster(t *testing.T) {
	out := []byte(`{"revived":[{"service":"node-2","rejoined_ms":5},{"service":"master","rejoined_ms":1234}]}`)
	if got := rejoinedMS(out, "master"); got != 1234 {
		t.Errorf("rejoinedMS = %d, want 1234", got)
	}
	if got := rejoinedMS(out, "node-1"); got != -1 {
		t.Errorf("a node not revived: %d, want -1", got)
	}
	if got := rejoinedMS([]byte("not json"), "master"); got != -1 {
		t.Errorf("bad JSON: %d, want -1", got)
	}
}

// Without both modes measured, the comparison says it is not judged
// rather than judging against nothing.
func TestTimersSectionNeedsBothModes(t *testing.T) {
	b := &Bench{Measured: map[string]*modeMeasures{}}
	b.measures("fast").addFailover(1000, []failoverRound{{Report: &killReport{FailoverMS: 1500, DownAfterMS: 1000}, RejoinMS: 900}})
	s, err := runTimers(context.Background(), b)
	if err != nil || len(s.Checks) != 0 || !strings.Contains(strings.Join(s.Notes, " "), "Not judged") {
		t.Errorf("one mode only: %+v, %v", s, err)
	}
	b.measures("normal").addFailover(1000, []failoverRound{{Report: &killReport{FailoverMS: 2200, DownAfterMS: 1000}, RejoinMS: 11000}})
	s, _ = runTimers(context.Background(), b)
	if len(s.Checks) < 2 || !strings.Contains(s.Checks[0].Value, "500 / 1200 ms = 0.42 × normal") {
		t.Errorf("both modes: %+v", s.Checks)
	}
}
