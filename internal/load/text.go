package load

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// WriteText prints what the client saw.
func WriteText(w io.Writer, r *Result) {
	wait := ""
	if r.WaitReplicas > 0 {
		wait = fmt.Sprintf(", each waiting for %d replica(s)", r.WaitReplicas)
	}
	fmt.Fprintf(w, "\nClient writes (go-redis FailoverClient through the sentinels, %d/s%s):\n", r.Rate, wait)
	fmt.Fprintf(w, "  attempted %d, acknowledged %d, failed %d%s\n", r.Attempted, r.Acked, r.Failed, failures(r.Failures))
	if r.Recovered {
		fmt.Fprintf(w, "  outage: %d ms without an acknowledged write (from %+d ms to %+d ms around the fault); longest gap %d ms\n",
			r.OutageMS, r.OutageStartMS, r.OutageEndMS, r.LongestGapMS)
	} else {
		fmt.Fprintf(w, "  outage: no write was acknowledged after the fault; at least %d ms (from %+d ms), still open when the client stopped\n",
			r.OutageMS, r.OutageStartMS)
	}
	if r.LostAcked == 0 {
		fmt.Fprintln(w, "  lost acknowledged writes: 0 (the new master has every write it acknowledged)")
	} else {
		fmt.Fprintf(w, "  lost acknowledged writes: %d (sequence %s): acknowledged, then gone with the old master\n",
			r.LostAcked, strings.Join(r.LostRanges, ", "))
	}
	if iso := r.Isolated; iso != nil {
		fmt.Fprintf(w, "  split brain: a client on the isolated old master's side wrote %d times; it acknowledged %d",
			iso.Attempted, iso.Acked)
		if iso.Refused > 0 {
			fmt.Fprintf(w, " and refused %d (min-replicas-to-write), last acknowledgement at %+d ms", iso.Refused, iso.LastAckMS)
		}
		fmt.Fprintln(w, ".\n  Those acknowledged writes exist only on the old master: `sentinel-lab revive` counts how many it drops when it rejoins.")
	}
}

func failures(m map[string]int) string {
	if len(m) == 0 {
		return ""
	}
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(parts)
	return " (" + strings.Join(parts, ", ") + ")"
}
