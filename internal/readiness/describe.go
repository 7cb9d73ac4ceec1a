package readiness

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Describe says in a few sentences what the sentinels did and what
// follows, for the errors and progress of up and kill-master, with
// downAfter the lab's down-after-milliseconds.
func (r Report) Describe(downAfter time.Duration) []string {
	var out []string
	for _, a := range r.Attempts {
		what := "started a failover"
		switch {
		case a.Abort != "":
			what = fmt.Sprintf("started and aborted a failover (%s)", a.Abort)
		case a.Elected:
			what = "started a failover and was elected to lead it"
		}
		out = append(out, fmt.Sprintf("%s %s at epoch %d, %s", a.Sentinel, what, a.Epoch, a.At.Format("15:04:05.000")))
	}
	if len(r.Attempts) == 0 && r.MaxEpoch > 0 {
		out = append(out, fmt.Sprintf("the sentinels started epoch %d: an election began", r.MaxEpoch))
	}
	if nodes := r.FlaggedNodes(); len(nodes) > 0 {
		line := fmt.Sprintf("sentinels flagged %s down (subjectively) for up to %s",
			strings.Join(nodes, ", "), r.LongestDown().Round(100*time.Millisecond))
		if r.allAtOnce() {
			line += fmt.Sprintf("; everything looking down at once means this machine stalled: it is too busy for down-after %s", downAfter)
		}
		out = append(out, line)
	}
	if !r.HeldUntil.IsZero() {
		var who []string
		for _, h := range r.Held {
			who = append(who, fmt.Sprintf("%s %s", h.Sentinel, h.Why))
		}
		sort.Strings(who)
		out = append(out, fmt.Sprintf("the sentinels will not start another failover before %s (2 x failover-timeout after: %s)",
			r.HeldUntil.Format("15:04:05"), strings.Join(who, "; ")))
	}
	return out
}

// allAtOnce tells flags of more than one node, every one raised within a
// second of the first: a stall of the machine, not a node that died.
func (r Report) allAtOnce() bool {
	if len(r.FlaggedNodes()) < 2 {
		return false
	}
	first := r.Flagged[0].From
	for _, f := range r.Flagged {
		if f.From.Sub(first) > time.Second {
			return false
		}
	}
	return true
}
