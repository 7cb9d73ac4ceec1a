package nodelog

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05.000", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestLineTime(t *testing.T) {
	tests := []struct {
		line string
		want time.Time
		ok   bool
	}{
		{"1:M 24 Nov 2026 13:57:19.749 * Ready to accept connections", utc("2026-11-24 13:57:19.749"), true},
		{"1:X 05 Jan 2026 00:00:00.001 # +switch-master redis-master 172.28.5.10 6379 172.28.5.11 6380", utc("2026-01-05 00:00:00.001"), true},
		{"1:S 24 Nov 2026 13:57:19.749 * MASTER <-> REPLICA sync started", utc("2026-11-24 13:57:19.749"), true},
		{"123:C 24 Nov 2026 13:57:19.749 * DB saved on disk", utc("2026-11-24 13:57:19.749"), true},
		{"1:signal-handler (1795529385) Received SIGTERM scheduling shutdown...", time.Unix(1795529385, 0).UTC(), true},
		// Valkey with log-timestamp-format iso8601.
		{"1:M 2026-11-24T13:57:19.749+01:00 * Ready", utc("2026-11-24 12:57:19.749"), true},
		{"                _._                                                  ", time.Time{}, false},
		{"=== REDIS BUG REPORT START: Cut & paste starting from here ===", time.Time{}, false},
		{"1:Q 24 Nov 2026 13:57:19.749 * unknown role", time.Time{}, false},
		{"x:M 24 Nov 2026 13:57:19.749 * not a pid", time.Time{}, false},
		{"1:M 24 Nov", time.Time{}, false},
		{"", time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := LineTime(tt.line)
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("LineTime(%q) = %v, %v; want %v, %v", tt.line, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseGivesContinuationLinesThePreviousTime(t *testing.T) {
	text := "1:M 24 Nov 2026 13:57:19.749 # crashed\r\n" +
		"=== REDIS BUG REPORT START ===\n" +
		"1:M 24 Nov 2026 13:57:20.000 * next\n"
	prev := utc("2026-11-24 13:00:00.000")
	lines, last := Parse("master", "orphan\n"+text, prev)
	want := []Line{
		{Service: "master", Time: prev, Text: "orphan"},
		{Service: "master", Time: utc("2026-11-24 13:57:19.749"), Text: "1:M 24 Nov 2026 13:57:19.749 # crashed"},
		{Service: "master", Time: utc("2026-11-24 13:57:19.749"), Text: "=== REDIS BUG REPORT START ==="},
		{Service: "master", Time: utc("2026-11-24 13:57:20.000"), Text: "1:M 24 Nov 2026 13:57:20.000 * next"},
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d: %v", len(lines), len(want), lines)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d = %+v, want %+v", i, lines[i], want[i])
		}
	}
	if !last.Equal(utc("2026-11-24 13:57:20.000")) {
		t.Errorf("last = %v", last)
	}
}

func line(service, at, text string) Line {
	return Line{Service: service, Time: utc("2026-11-24 " + at), Text: text}
}

func texts(lines []Line) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.Service + ":" + l.Text + " ")
	}
	return strings.TrimSpace(b.String())
}

func TestMergeInterleavesByTimeAndKeepsEachNodesOrder(t *testing.T) {
	master := []Line{line("master", "10:00:00.100", "m1"), line("master", "10:00:00.300", "m2"), line("master", "10:00:00.300", "m3")}
	// A node whose clock went back keeps its own order.
	s1 := []Line{line("sentinel-1", "10:00:00.200", "s1"), line("sentinel-1", "10:00:00.050", "s2"), line("sentinel-1", "10:00:00.400", "s3")}
	s2 := []Line{line("sentinel-2", "10:00:00.300", "t1")}
	got := texts(Merge(master, s1, s2))
	want := "master:m1 sentinel-1:s1 sentinel-1:s2 master:m2 master:m3 sentinel-2:t1 sentinel-1:s3"
	if got != want {
		t.Errorf("Merge:\n got %s\nwant %s", got, want)
	}
	if len(Merge()) != 0 || texts(Merge(nil, s2)) != "sentinel-2:t1" {
		t.Error("Merge of empty lists")
	}
}

func TestSinceAndTail(t *testing.T) {
	lines := []Line{
		line("master", "10:00:00.000", "a"),
		line("master", "10:00:05.000", "b"),
		line("master", "10:00:05.000", "b-continued"),
		line("master", "10:00:09.999", "c"),
	}
	if got := texts(Since(lines, utc("2026-11-24 10:00:05.000"))); got != "master:b master:b-continued master:c" {
		t.Errorf("Since keeps %s", got)
	}
	if got := texts(Since(lines, time.Time{})); got != texts(lines) {
		t.Errorf("Since(zero) keeps %s", got)
	}
	if got := Since(lines, utc("2026-11-24 10:00:10.000")); len(got) != 0 {
		t.Errorf("Since after the last line keeps %s", texts(got))
	}
	if got := texts(Tail(lines, 2)); got != "master:b-continued master:c" {
		t.Errorf("Tail(2) = %s", got)
	}
	if len(Tail(lines, -1)) != 4 || len(Tail(lines, 10)) != 4 || len(Tail(lines, 0)) != 0 {
		t.Error("Tail of -1, more than all, or 0")
	}
}

func TestParseSince(t *testing.T) {
	now := utc("2026-11-24 10:00:00.000")
	for in, want := range map[string]time.Time{
		"":                     {},
		"10m":                  utc("2026-11-24 09:50:00.000"),
		"1h30m":                utc("2026-11-24 08:30:00.000"),
		"2026-11-24T09:00:00Z": utc("2026-11-24 09:00:00.000"),
	} {
		got, err := ParseSince(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseSince(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"yesterday", "-5m", "10"} {
		if _, err := ParseSince(bad, now); err == nil || !strings.Contains(err.Error(), "--since") {
			t.Errorf("ParseSince(%q) error = %v, want one naming --since", bad, err)
		}
	}
}

func TestPrinterAlignsServicesAndMarksContainerOutput(t *testing.T) {
	var b bytes.Buffer
	p := NewPrinter(&b, []string{"master", "sentinel-1"})
	err := p.Print([]Line{
		line("master", "10:00:00.000", "1:M ... * ready"),
		{Service: "sentinel-1", Text: "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***", Output: true},
	})
	want := "master     | 1:M ... * ready\n" +
		"sentinel-1 | (container output) *** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"
	if err != nil || b.String() != want {
		t.Errorf("Print:\n%s\nwant:\n%s", b.String(), want)
	}
}
