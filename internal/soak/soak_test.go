package soak

import "testing"

func TestStatsAreNearestRank(t *testing.T) {
	v := []float64{5, 1, 4, 2, 3, 10, 9, 8, 7, 6}
	if got := stats(v); got != (Stats{P50: 5, P95: 10, Max: 10}) {
		t.Errorf("stats = %+v", got)
	}
	if got := stats(nil); got != (Stats{}) {
		t.Errorf("stats of nothing = %+v", got)
	}
}

// A round that failed over but did not converge cleanly (an election
// retried, say) still counts in the client's numbers; a round whose
// kill-master failed has no failover to count.
func TestSummaryCountsEveryCompletedFailover(t *testing.T) {
	s := &Summary{Load: true, Results: []Round{
		{N: 1, OK: true, NewMaster: "node-1", FailoverMS: 2000, OutageMS: 2100},
		{N: 2, OK: false, NewMaster: "node-2", FailoverMS: 6000, OutageMS: 6500, LostAcked: 3, Problems: []string{"2 new epochs"}},
		{N: 3, OK: false, Problems: []string{"kill-master: no failover"}},
	}}
	s.summarize()
	if s.FailoverMS.Max != 6000 || s.OutageMS.Max != 6500 || s.LostAcked.Max != 3 {
		t.Errorf("summary %+v / %+v / %+v leaves out the unclean round", s.FailoverMS, *s.OutageMS, *s.LostAcked)
	}
	if s.FailoverMS.P50 != 2000 {
		t.Errorf("p50 %v over two failovers, want the lower (nearest rank)", s.FailoverMS.P50)
	}
}
