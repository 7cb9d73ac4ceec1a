package present

import (
	"fmt"
	"io"
	"strings"

	"github.com/sentinel-lab/sentinel-lab/internal/scenario"
	"github.com/sentinel-lab/sentinel-lab/internal/soak"
)

// WriteSoak prints a soak: rounds converged, the percentiles, and why each
// round that failed did.
func WriteSoak(w io.Writer, s *soak.Summary) {
	fmt.Fprintf(w, "Soak: %d of %d rounds converged cleanly (mode %s, down-after %d ms, %s timers).\n", s.Converged, s.Rounds, s.Mode, s.DownAfterMS, orText(string(s.Timers), "normal"))
	fmt.Fprintf(w, "  failover_ms  p50 %.0f  p95 %.0f  max %.0f\n", s.FailoverMS.P50, s.FailoverMS.P95, s.FailoverMS.Max)
	if s.OutageMS != nil {
		fmt.Fprintf(w, "  outage_ms    p50 %.0f  p95 %.0f  max %.0f\n", s.OutageMS.P50, s.OutageMS.P95, s.OutageMS.Max)
		fmt.Fprintf(w, "  lost_acked   p50 %.0f  p95 %.0f  max %.0f\n", s.LostAcked.P50, s.LostAcked.P95, s.LostAcked.Max)
	}
	if s.SplitBrainLost != nil {
		fmt.Fprintf(w, "  split brain: writes the isolated old master acknowledged and dropped  p50 %.0f  p95 %.0f  max %.0f\n",
			s.SplitBrainLost.P50, s.SplitBrainLost.P95, s.SplitBrainLost.Max)
	}
	for _, r := range s.Results {
		if !r.OK {
			fmt.Fprintf(w, "  round %d: %s\n", r.N, strings.Join(r.Problems, "; "))
		}
	}
}

// WriteSoakRound prints one round as it ends, for progress.
func WriteSoakRound(w io.Writer, r soak.Round, rounds int) {
	if r.OK {
		fmt.Fprintf(w, "round %d/%d: %s -> %s, failover %d ms, outage %d ms, lost %d\n",
			r.N, rounds, r.OldMaster, r.NewMaster, r.FailoverMS, r.OutageMS, r.LostAcked)
	} else {
		fmt.Fprintf(w, "round %d/%d FAILED: %s\n", r.N, rounds, strings.Join(r.Problems, "; "))
	}
}

// WriteSoakScenarioRound prints one round of a scenario soak as it ends.
func WriteSoakScenarioRound(w io.Writer, n, rounds int, r *scenario.Result) {
	if r.Verdict == scenario.Pass {
		fmt.Fprintf(w, "round %d/%d: %s pass (%.1fs)\n", n, rounds, r.Name, float64(r.TookMS)/1000)
		return
	}
	fmt.Fprintf(w, "round %d/%d: %s FAILED: %s\n", n, rounds, r.Name, r.Observed)
}

// WriteSoakScenario prints a scenario soak: rounds passed, and why each
// round that failed did.
func WriteSoakScenario(w io.Writer, s *soak.ScenarioSummary) {
	fmt.Fprintf(w, "Soak of scenario %s: %d of %d rounds passed.\n", s.Scenario, s.Passed, len(s.Results))
	for i, r := range s.Results {
		if r.Verdict != scenario.Pass {
			fmt.Fprintf(w, "  round %d: %s\n", i+1, r.Observed)
		}
	}
}
