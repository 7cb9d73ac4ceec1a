package main

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

var fault = time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)

// seenAt is a poller that saw the switch afterFault ms after the fault.
func seenAt(sentinel string, afterFault int) pollResult {
	end := fault.Add(time.Duration(afterFault) * time.Millisecond)
	return pollResult{Sentinel: sentinel, Seen: true, SeenStart: end.Add(-5 * time.Millisecond), SeenEnd: end,
		Began: fault.Add(-time.Second), Polls: 200 + afterFault/5, Gap: 6 * time.Millisecond, CPU: 600 * time.Millisecond, Wall: 3 * time.Second}
}

// round is a completed round: failover_ms and each poller's sighting.
func round(n int, failoverMS int64, leader string, sightings map[string]int) failoverRound {
	r := failoverRound{N: n, Report: &killReport{
		OldMaster: nodeRef{Service: "master"}, NewMaster: nodeRef{Service: "node-1"},
		DownAfterMS: 1000, FaultAt: fault, FailoverMS: failoverMS, ConvergedMS: failoverMS + 90, Leader: leader,
	}, Revive: 11 * time.Second}
	for _, s := range []string{"sentinel-1", "sentinel-2", "sentinel-3"} {
		if at, ok := sightings[s]; ok {
			r.Polls = append(r.Polls, seenAt(s, at))
		} else {
			r.Polls = append(r.Polls, pollResult{Sentinel: s})
		}
	}
	return r
}

func TestKillReportReadsTheToolsJSON(t *testing.T) {
	out := []byte(`{"lab":"x","old_master":{"service":"master","address":"10.0.0.10:6379"},
		"new_master":{"service":"node-2","address":"10.0.0.12:6381"},"down_after_ms":1000,
		"fault_at":"2026-11-24T14:24:50.777065631Z","fault_call_ms":129,"failover_ms":2193,
		"converged_ms":2279,"leader":"sentinel-1","epoch":1,"events":[]}`)
	var k killReport
	if err := json.Unmarshal(out, &k); err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 11, 24, 14, 24, 52, 970065631, time.UTC)
	if !k.ToolSawAt().Equal(want) {
		t.Errorf("ToolSawAt() = %v, want fault_at + failover_ms = %v", k.ToolSawAt(), want)
	}
	if k.NewMaster.Service != "node-2" || k.Leader != "sentinel-1" || k.DownAfterMS != 1000 {
		t.Errorf("read %+v", k)
	}
}

func TestRoundComparesWithTheEarliestSighting(t *testing.T) {
	r := round(1, 2200, "sentinel-2", map[string]int{"sentinel-1": 2290, "sentinel-2": 2185, "sentinel-3": 2300})
	e, ok := r.earliest()
	if !ok || e.Sentinel != "sentinel-2" {
		t.Fatalf("earliest = %v, %v; want sentinel-2", e.Sentinel, ok)
	}
	if d, ok := r.diff(); !ok || d != 15*time.Millisecond {
		t.Errorf("diff = %v, %v; want the tool 15ms after the baseline", d, ok)
	}
	if b, ok := r.baselineFailover(); !ok || b != 2185*time.Millisecond {
		t.Errorf("baselineFailover = %v, %v; want 2185ms", b, ok)
	}

	// A poller that missed the switch does not count as early.
	r = round(2, 2200, "sentinel-1", map[string]int{"sentinel-3": 2400})
	if e, _ := r.earliest(); e.Sentinel != "sentinel-3" {
		t.Errorf("earliest = %s, want the only poller that saw it", e.Sentinel)
	}
	if d, _ := r.diff(); d != -200*time.Millisecond {
		t.Errorf("diff = %v, want -200ms (the baseline saw it later)", d)
	}

	r.Err = errors.New("kill-master failed")
	if _, ok := r.diff(); ok {
		t.Error("a failed round has no difference")
	}
	if _, ok := round(3, 2200, "sentinel-1", nil).earliest(); ok {
		t.Error("no poller saw the switch, yet earliest found one")
	}
}

func TestFailoverSectionJudgesTheTargets(t *testing.T) {
	setup := failoverSetup{D: time.Second, Rounds: 4, Reach: "in-network addresses", CLI: "/usr/bin/redis-cli"}
	rounds := []failoverRound{
		round(1, 2100, "sentinel-1", map[string]int{"sentinel-1": 2095, "sentinel-2": 2180, "sentinel-3": 2181}),
		round(2, 2200, "sentinel-2", map[string]int{"sentinel-1": 2290, "sentinel-2": 2190, "sentinel-3": 2291}),
		round(3, 2300, "sentinel-3", map[string]int{"sentinel-1": 2390, "sentinel-2": 2391, "sentinel-3": 2280}),
		round(4, 2400, "sentinel-1", map[string]int{"sentinel-1": 2380, "sentinel-2": 2470, "sentinel-3": 2471}),
	}
	s := failoverSection(setup, rounds)
	checks := map[string]Check{}
	for _, c := range s.Checks {
		checks[c.What] = c
	}
	// Nearest rank: p50 of 2100, 2200, 2300, 2400 is 2200.
	if c := checks["p50 of failover_ms"]; c.Value != "2200 ms = D + 1200 ms (2.20 × D)" || c.Verdict() != "**met**" || c.Target != "≤ D + 1300 ms = 2300 ms" {
		t.Errorf("p50 check: %+v, verdict %s", c, c.Verdict())
	}
	if c := checks["failover_ms − D: p50 / p95"]; c.Value != "1200 / 1400 ms" {
		t.Errorf("over-D check: %+v", c)
	}
	// Differences +5, +10, +20, +20: p50 +10.
	if c := checks["tool − baseline: p50"]; c.Value != "+10 ms" || c.Verdict() != "**met**" {
		t.Errorf("baseline check: %+v, verdict %s", c, c.Verdict())
	}
	if c := checks["tool − baseline: p95 / largest |difference|"]; c.Value != "+20 ms / 20 ms" {
		t.Errorf("p95 check: %+v", c)
	}
	joined := strings.Join(s.Notes, "\n")
	if !strings.Contains(joined, "leader in 4 of 4 rounds") || !strings.Contains(joined, "20% of one core") {
		t.Errorf("notes: %s", joined)
	}
	if len(s.Tables) != 1 || len(s.Tables[0].Rows) != 4 || !strings.Contains(s.Tables[0].Caption, `"poll / gap" are`) {
		t.Fatalf("tables: %+v", s.Tables)
	}
	row := s.Tables[0].Rows[1]
	if row[6] != "sentinel-1 2290, sentinel-2 2190, sentinel-3 2291" || row[7] != "+10" || row[4] != "+1200" || row[8] != "5.0 / 6.0" {
		t.Errorf("round 2 row: %q", row)
	}
}

func TestFailoverSectionMissesAndFailures(t *testing.T) {
	setup := failoverSetup{D: time.Second, Rounds: 3}
	failed := failoverRound{N: 3, Err: errors.New("kill-master: no failover after 60s"), Revive: time.Second}
	rounds := []failoverRound{
		round(1, 2500, "sentinel-1", map[string]int{"sentinel-1": 2300}),
		round(2, 2600, "sentinel-1", map[string]int{"sentinel-2": 2350}),
		failed,
	}
	s := failoverSection(setup, rounds)
	for _, c := range s.Checks {
		if c.Target != "" && !strings.HasPrefix(c.Verdict(), "not judged: only 2 of 3") {
			t.Errorf("%s: verdict %q with a failed round; want not judged", c.What, c.Verdict())
		}
	}
	// Judged on its own, the same numbers miss both targets.
	s = failoverSection(failoverSetup{D: time.Second, Rounds: 2}, rounds[:2])
	for _, c := range s.Checks {
		if c.Target != "" && c.Verdict() != "**not met**" {
			t.Errorf("%s = %s: verdict %q, want not met", c.What, c.Value, c.Verdict())
		}
	}
	s = failoverSection(setup, rounds)
	if !strings.Contains(strings.Join(s.Notes, "\n"), "1 of 3 rounds failed") {
		t.Errorf("notes should name the failed round: %q", s.Notes)
	}
	last := s.Tables[0].Rows[2]
	if !strings.HasPrefix(last[1], "failed: kill-master: no failover") {
		t.Errorf("failed round row: %q", last)
	}
}
