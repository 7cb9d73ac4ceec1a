package main

import (
	"strings"
	"testing"
)

func TestVerdict(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    Result
		want string
	}{
		{"met at the target", Result{Ratio: 0.5, Pairs: 5, Wanted: 5, Target: 0.5}, "**met**"},
		{"not met", Result{Ratio: 0.84, Pairs: 5, Wanted: 5, Target: 0.5}, "**not met**"},
		{"no target", Result{Ratio: 0.2, Pairs: 5, Wanted: 5}, "(no target)"},
		{"runs failed", Result{Ratio: 0.3, Pairs: 3, Wanted: 5, Target: 0.5}, "not judged: only 3 of 5 pairs completed"},
		{"nothing completed", Result{Wanted: 5, Target: 0.5}, "not judged: no run completed"},
	} {
		if got := tc.r.Verdict(); got != tc.want {
			t.Errorf("%s: Verdict() = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestCheckVerdict(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Check
		want string
	}{
		{"met", Check{Rounds: 10, Wanted: 10, Target: "≤ 2300 ms", Met: true}, "**met**"},
		{"not met", Check{Rounds: 10, Wanted: 10, Target: "≤ 2300 ms"}, "**not met**"},
		{"no target", Check{Rounds: 10, Wanted: 10, Met: true}, "(no target)"},
		{"rounds missing", Check{Rounds: 8, Wanted: 10, Target: "≤ 2300 ms", Met: true}, "not judged: only 8 of 10 rounds completed"},
		{"nothing completed", Check{Wanted: 10, Target: "≤ 2300 ms"}, "not judged: no round completed"},
	} {
		if got := tc.c.Verdict(); got != tc.want {
			t.Errorf("%s: Verdict() = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestWriteMarkdown(t *testing.T) {
	r := Report{
		Header: Header{Command: "make bench", Facts: []Fact{{"engine", "Docker Engine 20.10"}}},
		Sections: []Section{{
			Title:   "Start-up",
			Text:    []string{"What was measured."},
			Results: []Result{{What: "a / b", Ratio: 0.843, Pairs: 5, Wanted: 5, Target: 0.5}},
			Checks:  []Check{{What: "p50 of x", Value: "D + 1190 ms", Rounds: 10, Wanted: 10, Target: "≤ D + 1300 ms", Met: true}, {What: "info", Value: "3"}},
			Notes:   []string{"A note."},
			Tables: []Table{{
				Caption: "Runs:",
				Columns: []string{"#", "total"},
				Rows:    [][]string{{"1", "failed: a | b\nsecond line"}},
			}},
		}},
	}
	var b strings.Builder
	if err := r.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, want := range []string{
		"# Benchmarks\n\nWritten by `make bench`",
		"| engine | Docker Engine 20.10 |\n",
		"## Start-up\n\nWhat was measured.\n\n",
		"| comparison | median ratio | pairs | target | target met |\n|---|---|---|---|---|\n| a / b | 0.84 | 5 | ≤ 0.50 | **not met** |\n",
		"| measure | value | rounds | target | target met |\n|---|---|---|---|---|\n| p50 of x | D + 1190 ms | 10 | ≤ D + 1300 ms | **met** |\n| info | 3 | 0 | - | (no target) |\n",
		"A note.\n\nRuns:\n\n| # | total |\n|---|---|\n",
		// A cell stays on one line, and its pipes do not split it.
		`| 1 | failed: a \| b second line |` + "\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
	if !strings.HasSuffix(got, "|\n") || strings.HasSuffix(got, "\n\n") {
		t.Errorf("report should end with one newline:\n%q", got[len(got)-20:])
	}
}
