package engine

import (
	"testing"
	"time"
)

func TestParseTimestamped(t *testing.T) {
	in := "2026-11-24T13:57:19.749123456Z *** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n" +
		"no stamp: keeps the time before\n" +
		"2026-11-24T13:57:20Z\n"
	got := ParseTimestamped(in)
	t1 := time.Date(2026, 11, 24, 13, 57, 19, 749123456, time.UTC)
	t2 := time.Date(2026, 11, 24, 13, 57, 20, 0, time.UTC)
	want := []OutputLine{
		{Time: t1, Text: "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***"},
		{Time: t1, Text: "no stamp: keeps the time before"},
		{Time: t2, Text: ""},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d lines: %+v", len(got), got)
	}
	for i := range want {
		if !got[i].Time.Equal(want[i].Time) || got[i].Text != want[i].Text {
			t.Errorf("line %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
