package main

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func soakRounds20(outage func(n int) int64) *soakSummary {
	s := &soakSummary{Rounds: 20, Converged: 20, Mode: "kill", DownAfterMS: 1000, Load: true}
	var fo, out []float64
	for n := 1; n <= 20; n++ {
		r := soakRound{N: n, OK: true, OldMaster: "master", NewMaster: "node-1", FailoverMS: 2000 + int64(n)*10,
			ConvergedMS: 2100 + int64(n)*10, OutageMS: outage(n), EpochBefore: int64(n - 1), EpochAfter: int64(n), Problems: []string{}}
		s.Results = append(s.Results, r)
		fo, out = append(fo, float64(r.FailoverMS)), append(out, float64(r.OutageMS))
	}
	s.FailoverMS = soakStats{P50: percentile(fo, .5), P95: percentile(fo, .95), Max: percentile(fo, 1)}
	s.OutageMS = &soakStats{P50: percentile(out, .5), P95: percentile(out, .95), Max: percentile(out, 1)}
	s.LostAcked = &soakStats{}
	return s
}

func checksByName(s Section) map[string]Check {
	m := map[string]Check{}
	for _, c := range s.Checks {
		m[c.What] = c
	}
	return m
}

func TestSoakSummaryReadsTheSoaksJSON(t *testing.T) {
	out := []byte(`{"rounds":2,"converged":1,"mode":"kill","down_after_ms":1000,"load":true,
		"failover_ms":{"p50":2100,"p95":2100,"max":2100},"outage_ms":{"p50":2400,"p95":2400,"max":2400},
		"lost_acked":{"p50":0,"p95":0,"max":0},
		"results":[{"round":1,"ok":true,"old_master":"master","new_master":"node-1","failover_ms":2100,
		"converged_ms":2200,"outage_ms":2400,"lost_acked":0,"epoch_before":0,"epoch_after":1,"problems":[]},
		{"round":2,"ok":false,"failover_ms":0,"converged_ms":0,"outage_ms":0,"lost_acked":0,
		"epoch_before":1,"epoch_after":0,"problems":["kill-master: no failover after 60s"]}]}`)
	var s soakSummary
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Results) != 2 || !failedOver(s.Results[0]) || failedOver(s.Results[1]) || s.OutageMS.P50 != 2400 {
		t.Errorf("read %+v", s)
	}
}

func TestSoakSectionAllClean(t *testing.T) {
	// Outages 2301..2320 ms: p50 (10th) 2310, p95 (19th) 2319, max 2320.
	sum := soakRounds20(func(n int) int64 { return 2300 + int64(n) })
	s := soakSection(soakRun{D: time.Second, Rounds: 20, Took: 5 * time.Minute}, sum)
	c := checksByName(s)
	for what, want := range map[string][2]string{
		"rounds that converged cleanly":                {"20 of 20", "**met**"},
		"lost acknowledged writes (--wait-replicas 1)": {"0 in each of 20 rounds", "**met**"},
		"p50 of outage_ms":                             {"2310 ms = D + 1310 ms (2.31 × D)", "**met**"},
		"outage_ms: p50 / p95 / max":                   {"2310 / 2319 / 2320 ms (D +1310 / +1319 / +1320 ms)", "(no target)"},
		"failover_ms: p50 / p95 / max":                 {"2100 / 2190 / 2200 ms (D +1100 / +1190 / +1200 ms)", "(no target)"},
	} {
		if c[what].Value != want[0] || c[what].Verdict() != want[1] {
			t.Errorf("%s: %q, %s; want %q, %s", what, c[what].Value, c[what].Verdict(), want[0], want[1])
		}
	}
	if len(s.Notes) != 0 {
		t.Errorf("a clean soak whose summary agrees needs no notes: %q", s.Notes)
	}
	if rows := s.Tables[0].Rows; len(rows) != 20 || rows[0][1] != "yes" || rows[0][7] != "+1301" {
		t.Errorf("first row %q of %d", rows[0], len(rows))
	}
}

func TestSoakSectionLossesSlowOutagesAndUncleanRounds(t *testing.T) {
	sum := soakRounds20(func(n int) int64 { return 2600 })
	sum.Results[4].LostAcked = 3
	sum.Results[8].LostAcked = 1
	// Round 12 failed over but needed a second epoch: measured, not clean.
	sum.Results[11].OK, sum.Results[11].Problems = false, []string{"2 new epochs in one failover (3, 4), want exactly one"}
	// Round 13's kill-master failed: not measured.
	sum.Results[12] = soakRound{N: 13, Problems: []string{"kill-master: no failover after 1m0s"}}
	sum.Converged = 18
	run := soakRun{D: time.Second, Rounds: 20, ExitErr: errors.New("sentinel-lab soak: exit status 1\n2 of 20 rounds did not converge cleanly")}
	s := soakSection(run, sum)
	c := checksByName(s)
	if got := c["rounds that converged cleanly"]; got.Value != "18 of 20" || got.Verdict() != "**not met**" {
		t.Errorf("converged: %+v %s", got, got.Verdict())
	}
	lost := c["lost acknowledged writes (--wait-replicas 1)"]
	if lost.Value != "4 in all, in 2 of 19 rounds (round 5: 3, round 9: 1)" || lost.Verdict() != "not judged: only 19 of 20 rounds completed" {
		t.Errorf("lost: %q, %s", lost.Value, lost.Verdict())
	}
	run.Rounds, sum.Results = 19, append(sum.Results[:12], sum.Results[13:]...)
	if got := checksByName(soakSection(run, sum))["p50 of outage_ms"]; got.Verdict() != "**not met**" || got.Value != "2600 ms = D + 1600 ms (2.60 × D)" {
		t.Errorf("outage: %q, %s", got.Value, got.Verdict())
	}
	notes := strings.Join(s.Notes, "\n")
	for _, want := range []string{"exited non-zero", "Only 19 of 20 rounds", "The soak's own summary"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	rows := s.Tables[0].Rows
	if rows[11][1] != "**no**" || !strings.Contains(rows[11][10], "2 new epochs") || rows[12][2] != "-" {
		t.Errorf("rows 12, 13: %q / %q", rows[11], rows[12])
	}
}
