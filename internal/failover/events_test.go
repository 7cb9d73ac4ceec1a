package failover

import (
	"fmt"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/probe"
)

// chanSub is a subscription whose messages are already delivered.
type chanSub struct{ ch chan probe.Message }

func (s chanSub) Messages() <-chan probe.Message { return s.ch }
func (s chanSub) Close() error                   { close(s.ch); return nil }

// What a subscription delivered before Events is in its answer, with
// nothing left to a reader goroutine: on a fake clock a watch runs in no
// wall time, and once ended before such a goroutine took the +sdown of a
// failover (TestScenarioRunOnTheLabInDir failed now and then on a loaded
// machine).
func TestRecorderHasWhatWasDelivered(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)
	subs := map[string]chanSub{"sentinel-1": {make(chan probe.Message, 300)}, "sentinel-2": {make(chan probe.Message, 300)}}
	rec := NewRecorder()
	rec.Record("sentinel-1", subs["sentinel-1"])
	rec.Record("sentinel-2", subs["sentinel-2"])
	for i := range 200 {
		svc := fmt.Sprintf("sentinel-%d", 1+i%2)
		subs[svc].ch <- probe.Message{Channel: fmt.Sprintf("+e%d", i), At: t0.Add(time.Duration(i) * time.Millisecond)}
	}
	events := rec.Events(t0)
	if len(events) != 200 {
		t.Fatalf("%d of the 200 delivered events recorded", len(events))
	}
	for i, e := range events {
		if e.Type != fmt.Sprintf("+e%d", i) || e.AtMS != int64(i) || e.Sentinel != fmt.Sprintf("sentinel-%d", 1+i%2) {
			t.Fatalf("event %d: %+v", i, e)
		}
	}
	subs["sentinel-2"].ch <- probe.Message{Channel: "+failover-end", At: t0.Add(time.Second)}
	if !rec.Seen("sentinel-2", "+failover-end") {
		t.Error("Seen does not see what was just delivered")
	}
	subs["sentinel-1"].ch <- probe.Message{Channel: "+switch-master", At: t0.Add(2 * time.Second)}
	rec.Close()
	if events := rec.Events(t0); len(events) != 202 || events[201].Type != "+switch-master" {
		t.Errorf("after Close: %d events, the last %+v", len(events), events[len(events)-1])
	}
}
