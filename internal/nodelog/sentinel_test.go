package nodelog

import (
	"testing"
	"time"
)

// Lines of the seed's sentinels, with this lab's time format.
const sentinelLog = `1:X 01 Dec 2026 15:59:37.001 * Running mode=sentinel, port=26379.
1:X 01 Dec 2026 15:59:38.113 # +sdown master redis-master 172.28.5.10 6379
1:X 01 Dec 2026 15:59:38.117 # +new-epoch 1
1:X 01 Dec 2026 15:59:38.117 # +try-failover master redis-master 172.28.5.10 6379
1:X 01 Dec 2026 15:59:38.127 # +vote-for-leader 4230cd10f36ab9effd8e21ee33a8f63f5e1fe28f 1
1:X 01 Dec 2026 15:59:38.152 # 15a670981f211ae4cfaef2855819485b56225e13 voted for 4230cd10f36ab9effd8e21ee33a8f63f5e1fe28f 1
1:X 01 Dec 2026 15:59:38.623 # Next failover delay: I will not start a failover before Tue Dec  1 15:59:58 2026
1:X 01 Dec 2026 15:59:39.200 # -failover-abort-no-good-slave master redis-master 172.28.5.10 6379
2026-12-01T15:59:40.000Z # ISO lines without a pid are no log lines
1:X 2026-12-01T15:59:41.500Z * +monitor master redis-master 172.28.5.10 6379 quorum 2
`

func TestSentinelNotes(t *testing.T) {
	lines, _ := Parse("sentinel-3", sentinelLog, time.Time{})
	notes := SentinelNotes(lines)
	want := []struct {
		kind  NoteKind
		event string
	}{
		{NoteEvent, "+sdown"}, {NoteEvent, "+new-epoch"}, {NoteEvent, "+try-failover"}, {NoteEvent, "+vote-for-leader"},
		{NoteVotedFor, ""}, {NoteFailoverDelay, ""}, {NoteEvent, "-failover-abort-no-good-slave"}, {NoteEvent, "+monitor"},
	}
	if len(notes) != len(want) {
		t.Fatalf("%d notes, want %d: %+v", len(notes), len(want), notes)
	}
	for i, w := range want {
		if notes[i].Kind != w.kind || notes[i].Event != w.event || notes[i].Sentinel != "sentinel-3" {
			t.Errorf("note %d: %s %q, want %s %q", i, notes[i].Kind, notes[i].Event, w.kind, w.event)
		}
	}
	if d := notes[0].Detail; d != "master redis-master 172.28.5.10 6379" {
		t.Errorf("detail %q", d)
	}
	v := notes[4]
	if v.Voter != "15a670981f211ae4cfaef2855819485b56225e13" || v.Leader != "4230cd10f36ab9effd8e21ee33a8f63f5e1fe28f" || v.Epoch != 1 {
		t.Errorf("voted for: %+v", v)
	}
	if d := notes[5]; !d.Until.Equal(time.Date(2026, 12, 1, 15, 59, 58, 0, time.UTC)) || !d.Time.Equal(time.Date(2026, 12, 1, 15, 59, 38, 623e6, time.UTC)) {
		t.Errorf("delay until %v, logged at %v", d.Until, d.Time)
	}
	if notes[7].Time.Second() != 41 {
		t.Errorf("an ISO-timed line at %v", notes[7].Time)
	}
}
