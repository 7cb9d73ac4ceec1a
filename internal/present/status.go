package present

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
)

// WriteStatus prints status: the verdict and its problems, a table of the
// data nodes and one of the sentinels.
func WriteStatus(w io.Writer, r *lab.Report) {
	verdict := "healthy"
	if !r.Healthy {
		verdict = "NOT healthy"
	}
	fmt.Fprintf(w, "Lab %q is %s.", r.Lab, verdict)
	if r.Master != nil {
		fmt.Fprintf(w, " Master: %s at %s (monitored as %q).", r.Master.Service, r.Master.Addresses(), r.MasterName)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Server: %s; image %s.\n", orText(r.Server, "not known (no data node answers)"), r.Image)
	if t := timersText(r.Timers, English); t != "" {
		fmt.Fprintf(w, "Timers: %s.\n", t)
	}
	named := r.Addressing != "" && r.Addressing != config.AddressingIP
	if named {
		fmt.Fprintf(w, "Addressing %s: the sentinels hand out the ANNOUNCED addresses; ADDRESS is in-network (`sentinel-lab connect` tells how to reach them).\n", r.Addressing)
	}
	for _, p := range r.Problems {
		fmt.Fprintf(w, "  - %s\n", p)
	}
	if len(r.Faults) > 0 {
		fmt.Fprintf(w, "Faults in place (sentinel-lab revive undoes them):\n")
		for _, f := range r.Faults {
			fmt.Fprintf(w, "  - %s\n", f)
		}
	}

	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	announced := func(a string) string {
		if !named {
			return "" // ip addressing: the nodes announce ADDRESS itself
		}
		return "\t" + dash(a)
	}
	fmt.Fprintf(tw, "\nNODE\tCONTAINER\tROLE\tADDRESS%s\tMASTER\tLINK\tOFFSET\tLAG\tREPLICAS\tREPLID\n", announced("ANNOUNCED"))
	for _, n := range r.Nodes {
		lag := "-"
		if n.Lag != nil {
			lag = strconv.FormatInt(*n.Lag, 10)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s%s\t%s\t%s\t%d\t%s\t%d\t%s\n",
			n.Service, containerText(n.State, n.Network), n.Role, n.Address, announced(n.Announced), dash(n.MasterService), dash(n.MasterLinkStatus),
			n.Offset, lag, n.ConnectedReplicas, dash(short(n.ReplID)))
	}
	fmt.Fprintln(tw, "\nSENTINEL\tCONTAINER\tMASTER\tFLAGS\tREPLICAS\tSENTINELS\tEPOCH\tTILT\tCKQUORUM\tTIMERS")
	for _, s := range r.Sentinels {
		if s.Error != "" {
			fmt.Fprintf(tw, "%s\t%s\tdown\t-\t-\t-\t-\t-\t-\t-\n", s.Service, containerText(s.State, s.Network))
			continue
		}
		quorum := "OK"
		if !s.QuorumOK {
			quorum = "NO: " + s.QuorumReply
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\t%s\n",
			s.Service, containerText(s.State, s.Network), fmt.Sprintf("%s (%s)", dash(s.MasterService), s.MasterAddress),
			s.Flags, s.Replicas, s.Sentinels, s.Epoch, yesNo(s.Tilt), quorum, dash(string(s.Timers)))
	}
	tw.Flush()
}

func containerText(state, network string) string {
	if network == "cut off" {
		return state + ", cut off"
	}
	return state
}

func orText(s, instead string) string {
	if s == "" {
		return instead
	}
	return s
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
