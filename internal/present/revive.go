package present

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/load"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// WriteRevive prints what revive brought back of lab labName, how each node
// rejoined, and what a rejoined partitioned master dropped.
func WriteRevive(w io.Writer, labName string, r *failover.ReviveReport) {
	defer writeDropped(w, r.SplitBrain)
	if len(r.Revived) == 0 {
		fmt.Fprintf(w, "Nothing to revive: every node of lab %q is running and connected, and the lab is healthy (master: %s).\n", labName, r.Master.Service)
		return
	}
	for _, n := range r.Revived {
		after := (time.Duration(n.RejoinedMS) * time.Millisecond).Round(10 * time.Millisecond)
		if n.Role == topology.Master {
			fmt.Fprintf(w, "%s (%s) is back, and still the master: no failover happened while it was down.\n", n.Service, n.Fault)
			continue
		}
		if n.Role == topology.Sentinel {
			fmt.Fprintf(w, "%s (%s) is back and agrees the master is %s, after %s.\n", n.Service, n.Fault, r.Master.Service, after)
			continue
		}
		fmt.Fprintf(w, "%s (%s) is back as a replica of %s, link up after %s; resync: %s.\n", n.Service, n.Fault, n.Master, after, n.Resync)
	}
}

func writeDropped(w io.Writer, d *load.Dropped) {
	if d == nil {
		return
	}
	fmt.Fprintf(w, "Split brain: while cut off, %s acknowledged %d writes; %d of them are gone now that it rejoined as a replica",
		d.OldMaster, d.Acked, d.Lost)
	if d.Lost > 0 {
		fmt.Fprintf(w, " (sequence %s)", strings.Join(d.LostRanges, ", "))
	}
	fmt.Fprintln(w, ". min-replicas-to-write bounds this loss.")
}
