package present

import (
	"fmt"
	"io"
	"strings"

	"github.com/sentinel-lab/sentinel-lab/internal/soak"
)

// WriteSoak prints a soak: rounds converged, the percentiles, and why each
// round that failed did.
func WriteSoak(w io.Writer, s *soak.Summary) {
	fmt.Fprintf(w, "Soak: %d of %d rounds converged cleanly (mode %s, down-after %d ms).\n", s.Converged, s.Rounds, s.Mode, s.DownAfterMS)
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
