package wait

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// fakeClock advances only when the code under test waits on it.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }
func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

func TestUntilReturnsWhenTheConditionHolds(t *testing.T) {
	clock := &fakeClock{now: time.Unix(0, 0)}
	polls := 0
	var seen []string
	s := Strategy{Clock: clock, Interval: 100 * time.Millisecond, Timeout: time.Minute,
		OnChange: func(_ time.Duration, c string) { seen = append(seen, c) }}
	waited, err := s.Until(context.Background(), func(context.Context) (bool, string, error) {
		polls++
		switch {
		case polls < 3:
			return false, "replicas syncing", nil
		case polls < 5:
			return false, "sentinels disagree", nil
		}
		return true, "", nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if waited != 400*time.Millisecond || polls != 5 {
		t.Errorf("waited %v over %d polls, want 400ms over 5", waited, polls)
	}
	if fmt.Sprint(seen) != "[replicas syncing sentinels disagree]" {
		t.Errorf("progress saw %v, want each change once", seen)
	}
}

func TestTimeoutCarriesTheLastCondition(t *testing.T) {
	clock := &fakeClock{now: time.Unix(0, 0)}
	s := Strategy{Clock: clock, Interval: time.Second, Timeout: 5 * time.Second}
	_, err := s.Until(context.Background(), func(context.Context) (bool, string, error) {
		return false, "sentinel-3 sees 1 of 2 replicas", nil
	})
	var te *TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("got %v, want a timeout", err)
	}
	if te.Last != "sentinel-3 sees 1 of 2 replicas" || te.After != 5*time.Second {
		t.Errorf("timeout %+v", te)
	}
}

func TestCheckErrorStopsAtOnce(t *testing.T) {
	clock := &fakeClock{now: time.Unix(0, 0)}
	boom := errors.New("master exited")
	_, err := Strategy{Clock: clock, Interval: time.Second, Timeout: time.Hour}.Until(context.Background(),
		func(context.Context) (bool, string, error) { return false, "", boom })
	if !errors.Is(err, boom) {
		t.Errorf("got %v, want the check's error", err)
	}
}

func TestCancelledContextStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Strategy{Interval: time.Hour}.Until(ctx, func(context.Context) (bool, string, error) {
		return false, "still waiting", nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}
