package readiness

import (
	"strings"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/nodelog"
)

var ids = map[string]string{
	"4230cd10f36ab9effd8e21ee33a8f63f5e1fe28f": "sentinel-1",
	"15a670981f211ae4cfaef2855819485b56225e13": "sentinel-2",
	"8c62aea94ee454dfccf2d5eaead8f909071c71d1": "sentinel-3",
}

var sentinels = []string{"sentinel-1", "sentinel-2", "sentinel-3"}

// notes parses "<sentinel> <log line>" per line.
func notes(t *testing.T, text string) []nodelog.SentinelNote {
	t.Helper()
	var out []nodelog.SentinelNote
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		s, line, _ := strings.Cut(strings.TrimSpace(l), " ")
		lines, _ := nodelog.Parse(s, line, time.Time{})
		out = append(out, nodelog.SentinelNotes(lines)...)
	}
	return out
}

func at(s string) time.Time {
	t, err := time.Parse("15:04:05.000", s)
	if err != nil {
		panic(err)
	}
	return time.Date(2026, 12, 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// The busy machine of issue 11: during start-up every node looked down for
// a moment, sentinel-3 tried a failover at epoch 1 and aborted it, and the
// others voted for it: nobody may start a failover for 2 x failover-timeout.
const stalledStart = `
sentinel-1 1:X 01 Dec 2026 15:59:38.100 # +sdown master redis-master 172.28.5.10 6379
sentinel-2 1:X 01 Dec 2026 15:59:38.110 # +sdown master redis-master 172.28.5.10 6379
sentinel-3 1:X 01 Dec 2026 15:59:38.105 # +sdown master redis-master 172.28.5.10 6379
sentinel-3 1:X 01 Dec 2026 15:59:38.106 # +sdown slave 172.28.5.11:6380 172.28.5.11 6380 @ redis-master 172.28.5.10 6379
sentinel-3 1:X 01 Dec 2026 15:59:38.117 # +new-epoch 1
sentinel-3 1:X 01 Dec 2026 15:59:38.117 # +try-failover master redis-master 172.28.5.10 6379
sentinel-1 1:X 01 Dec 2026 15:59:38.127 # +vote-for-leader 8c62aea94ee454dfccf2d5eaead8f909071c71d1 1
sentinel-2 1:X 01 Dec 2026 15:59:38.128 # +vote-for-leader 8c62aea94ee454dfccf2d5eaead8f909071c71d1 1
sentinel-3 1:X 01 Dec 2026 15:59:38.130 # +elected-leader master redis-master 172.28.5.10 6379
sentinel-3 1:X 01 Dec 2026 15:59:38.140 # -failover-abort-no-good-slave master redis-master 172.28.5.10 6379
sentinel-1 1:X 01 Dec 2026 15:59:39.200 # -sdown master redis-master 172.28.5.10 6379
sentinel-2 1:X 01 Dec 2026 15:59:39.210 # -sdown master redis-master 172.28.5.10 6379
sentinel-3 1:X 01 Dec 2026 15:59:39.205 # -sdown master redis-master 172.28.5.10 6379
sentinel-3 1:X 01 Dec 2026 15:59:39.206 # -sdown slave 172.28.5.11:6380 172.28.5.11 6380 @ redis-master 172.28.5.10 6379
sentinel-1 1:X 01 Dec 2026 15:59:40.623 # Next failover delay: I will not start a failover before Tue Dec  1 15:59:58 2026
`

func TestAStalledStartHoldsEverySentinelBack(t *testing.T) {
	r := Assess(notes(t, stalledStart), sentinels, ids, 10*time.Second, at("15:59:41.000"))
	if !r.Troubled() || r.MaxEpoch != 1 || len(r.Attempts) != 1 {
		t.Fatalf("report %+v", r)
	}
	a := r.Attempts[0]
	if a.Sentinel != "sentinel-3" || a.Epoch != 1 || !a.Elected || a.Abort != "-failover-abort-no-good-slave" {
		t.Errorf("attempt %+v", a)
	}
	// sentinel-1 logged its hold (15:59:58); sentinel-2 voted at 38.128,
	// held until 58.128; sentinel-3 tried at 38.117: 58.117.
	if len(r.Held) != 3 || !r.HeldUntil.Equal(at("15:59:58.000")) {
		t.Errorf("held until %v: %+v", r.HeldUntil, r.Held)
	}
	if h := r.Held[1]; h.Sentinel != "sentinel-2" || h.Why != "voted for sentinel-3 in epoch 1" || h.Logged {
		t.Errorf("sentinel-2's hold %+v", h)
	}
	if r.LongestDown() != 1100*time.Millisecond || len(r.FlaggedNodes()) != 2 {
		t.Errorf("down %v, flagged %v", r.LongestDown(), r.FlaggedNodes())
	}
	// Once the earliest hold passed, a failover can start.
	if later := Assess(notes(t, stalledStart), sentinels, ids, 10*time.Second, at("15:59:58.050")); !later.HeldUntil.IsZero() {
		t.Errorf("at 15:59:58.050 still held until %v", later.HeldUntil)
	}
}

// A failover that completed resets the holds of its voters and leader:
// the next kill-master finds the sentinels ready.
func TestACompletedFailoverHoldsNobody(t *testing.T) {
	done := `
sentinel-1 1:X 01 Dec 2026 16:00:01.000 # +new-epoch 2
sentinel-1 1:X 01 Dec 2026 16:00:01.000 # +try-failover master redis-master 172.28.5.10 6379
sentinel-2 1:X 01 Dec 2026 16:00:01.010 # +vote-for-leader 4230cd10f36ab9effd8e21ee33a8f63f5e1fe28f 2
sentinel-3 1:X 01 Dec 2026 16:00:01.010 # +vote-for-leader 4230cd10f36ab9effd8e21ee33a8f63f5e1fe28f 2
sentinel-1 1:X 01 Dec 2026 16:00:02.000 # +switch-master redis-master 172.28.5.10 6379 172.28.5.11 6380
sentinel-2 1:X 01 Dec 2026 16:00:02.100 # +switch-master redis-master 172.28.5.10 6379 172.28.5.11 6380
sentinel-3 1:X 01 Dec 2026 16:00:02.100 # +switch-master redis-master 172.28.5.10 6379 172.28.5.11 6380
`
	r := Assess(notes(t, done), sentinels, ids, 10*time.Second, at("16:00:03.000"))
	if !r.HeldUntil.IsZero() || len(r.Held) != 0 || r.MaxEpoch != 2 {
		t.Errorf("after a completed failover: %+v", r)
	}
}

// One sentinel that neither voted nor tried can start a failover: the
// lab is not held back.
func TestOneFreeSentinelIsEnough(t *testing.T) {
	r := Assess(notes(t, `
sentinel-1 1:X 01 Dec 2026 16:00:01.010 # +vote-for-leader 8c62aea94ee454dfccf2d5eaead8f909071c71d1 1
sentinel-3 1:X 01 Dec 2026 16:00:01.000 # +try-failover master redis-master 172.28.5.10 6379
`), sentinels, ids, 10*time.Second, at("16:00:02.000"))
	if !r.HeldUntil.IsZero() || len(r.Held) != 2 {
		t.Errorf("report %+v, want 2 held and the lab free to fail over", r)
	}
	if quiet := Assess(nil, sentinels, ids, 10*time.Second, at("16:00:02.000")); quiet.Troubled() {
		t.Errorf("no notes, trouble %+v", quiet)
	}
}
