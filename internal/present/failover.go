package present

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/load"
)

// WriteFailover prints a failover the way the seed annotates its logs: the
// switch, the phase times, then each sentinel's timeline, leader first.
func WriteFailover(w io.Writer, r *failover.Report, lang Lang) {
	names := r.Names()
	d := r.DownAfterMS
	fmt.Fprintf(w, "Failover of %q: %s (%s) -> %s (%s)\n", r.MasterName, r.OldMaster.Service, r.OldMaster.Addresses(),
		r.NewMaster.Service, r.NewMaster.Addresses())
	fmt.Fprintf(w, "Fault: %s requested at %s (the engine took %d ms); down-after-milliseconds %d\n",
		r.Mode, r.FaultAt.Format("15:04:05.000"), r.FaultCallMS, d)
	if t := timersText(r.Timers, English); t != "" {
		fmt.Fprintf(w, "Timers: %s\n", t)
	}
	if hb := r.HeldBack; hb != nil {
		fmt.Fprintf(w, "%s\n", heldBackText(hb, English))
		for _, why := range hb.Why {
			fmt.Fprintf(w, "  %s\n", why)
		}
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	phase := func(label string, ms int64) {
		fmt.Fprintf(tw, "  %s\t+%s\t(down-after %+.2fs)\n", label, secondsShort(ms), float64(ms-d)/1000)
	}
	first := "first sentinel reports the new master"
	if r.FirstSentinel != "" {
		first = fmt.Sprintf("first sentinel (%s) reports the new master", r.FirstSentinel)
	}
	phase(first, r.FailoverMS)
	phase("all sentinels agree", r.AgreedMS)
	phase(r.NewMaster.Service+" answers role:master", r.PromotedMS)
	phase("remaining replicas linked to "+r.NewMaster.Service, r.ReplicasLinkedMS)
	tw.Flush()
	for _, rs := range r.Resyncs {
		fmt.Fprintf(w, "  %s followed %s with a %s resync\n", rs.Service, r.NewMaster.Service, rs.Resync)
	}
	if r.Leader != "" {
		fmt.Fprintf(w, "\nLeader: %s (epoch %d); followers: %s\n", r.Leader, r.Epoch, strings.Join(r.Followers, ", "))
	}
	if len(r.Lost) > 0 {
		fmt.Fprintf(w, "Stopped answering during the failover: %s\n", strings.Join(r.Lost, ", "))
	}
	for _, s := range timelineOrder(r) {
		role := "follower"
		if s == r.Leader {
			role = "leader"
		}
		fmt.Fprintf(w, "\n%s (%s)\n", s, role)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, e := range r.Events {
			if e.Sentinel != s || !Interesting(e.Type) || e.AtMS < 0 {
				continue
			}
			fmt.Fprintf(tw, "  +%s\t%s\t%s\n", secondsShort(e.AtMS), e.Type, explained(e, names, lang))
		}
		tw.Flush()
	}
}

// timelineOrder lists the sentinels that published events, leader first.
func timelineOrder(r *failover.Report) []string {
	seen := map[string]bool{}
	var out []string
	if r.Leader != "" {
		out, seen[r.Leader] = append(out, r.Leader), true
	}
	var rest []string
	for _, e := range r.Events {
		if !seen[e.Sentinel] {
			seen[e.Sentinel] = true
			rest = append(rest, e.Sentinel)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

func secondsShort(ms int64) string { return fmt.Sprintf("%.3fs", float64(ms)/1000) }

// WriteKillMaster prints kill-master's result: the failover, what the
// client saw, and what to do next.
func WriteKillMaster(w io.Writer, r *failover.Report, lang Lang) {
	WriteFailover(w, r, lang)
	if r.Load != nil {
		WriteLoad(w, r.Load)
	}
	if r.LoadError != "" {
		fmt.Fprintf(w, "  note: the client's writes could not all be checked: %s\n", r.LoadError)
	}
	fmt.Fprintln(w, "\nNext: sentinel-lab status, then sentinel-lab revive to bring", r.OldMaster.Service, "back as a replica")
}

// WriteLoad prints what the client writing through a failover saw.
func WriteLoad(w io.Writer, r *load.Result) {
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

// explained is the event's explanation in lang, or the one it was saved
// with when its nodes cannot be named again (a report without names).
func explained(e failover.Event, names failover.Names, lang Lang) string {
	if len(names.ByAddr) > 0 || e.Explanation == "" {
		if s := Explain(e, names, lang); s != "" {
			return s
		}
	}
	return e.Explanation
}

// heldBackText says what held the sentinels back before the fault.
func heldBackText(hb *failover.HeldBack, lang Lang) string {
	until := hb.Until.Format("15:04:05")
	if hb.Forced {
		return tr(lang, "heldBackForced", until)
	}
	return tr(lang, "heldBackWaited", secondsShort(hb.WaitedMS), until)
}
