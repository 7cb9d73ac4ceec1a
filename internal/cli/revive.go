package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/load"
)

func printDropped(streams Streams, d *load.Dropped) {
	if d == nil {
		return
	}
	fmt.Fprintf(streams.Out, "Split brain: while cut off, %s acknowledged %d writes; %d of them are gone now that it rejoined as a replica",
		d.OldMaster, d.Acked, d.Lost)
	if d.Lost > 0 {
		fmt.Fprintf(streams.Out, " (sequence %s)", strings.Join(d.LostRanges, ", "))
	}
	fmt.Fprintln(streams.Out, ". min-replicas-to-write bounds this loss.")
}

type reviveOptions struct {
	timeout time.Duration
	output  string
}

func newReviveCommand(g *globalOptions, f *Factory, streams Streams) *cobra.Command {
	o := &reviveOptions{}
	cmd := &cobra.Command{
		Use:   "revive [service...]",
		Short: "Bring faulted nodes back; the old master rejoins as a replica",
		Long: `revive undoes what kill-master (or docker kill/stop/pause) did to the lab's
nodes: starts stopped containers, unpauses paused ones and moves cut-off ones
back onto the lab network at their own address, creates again (as up does)
the containers removed by hand, and waits for the sentinels to turn a node
answering role:master beside their master into a replica. It then waits until each
revived data node replicates the current master with its link up (the old
master is turned into a replica by the sentinels, after a few hello periods)
and reports whether it caught up with a partial or a full resync.

Without arguments it revives every faulted node. With nothing to revive it
waits until the lab is healthy, and fails saying what is not. A node that
stops again once started fails revive at once, with its last lines.`,
		Example: `  sentinel-lab revive
  sentinel-lab revive master
  sentinel-lab revive -o json`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(o.output); err != nil {
				return err
			}
			if err := checkTimeout(o.timeout); err != nil {
				return err
			}
			s, err := openSession(g, f, progressWriter(o.output, streams))
			if err != nil {
				return err
			}
			defer s.Close()
			l, env, pr := s.lab, s.env, s.prober
			iso, isoMaster, err := load.PendingSplitBrain(l.Dir)
			if err != nil {
				return err
			}
			r, err := failover.Revive(cmd.Context(), env, l, pr, failover.ReviveOptions{Services: args, Timeout: o.timeout})
			if err != nil {
				return err
			}
			// A partitioned old master that rejoined drops what it
			// acknowledged while cut off: count it on the current master.
			var dropped *load.Dropped
			for _, n := range r.Revived {
				if iso != nil && n.Service == isoMaster && n.Fault == "cut off" {
					if dropped, err = load.CountDropped(cmd.Context(), pr.DataClient(r.Master.Address), isoMaster, iso); err != nil {
						return err
					}
				}
			}
			if o.output == "json" {
				return writeJSON(streams.Out, struct {
					*failover.ReviveReport
					SplitBrain *load.Dropped `json:"split_brain,omitempty"`
				}{r, dropped})
			}
			defer printDropped(streams, dropped)
			if len(r.Revived) == 0 {
				fmt.Fprintf(streams.Out, "Nothing to revive: every node of lab %q is running and connected, and the lab is healthy (master: %s).\n", l.Config.Name, r.Master.Service)
				return nil
			}
			for _, n := range r.Revived {
				after := (time.Duration(n.RejoinedMS) * time.Millisecond).Round(10 * time.Millisecond)
				if n.Role == "master" {
					fmt.Fprintf(streams.Out, "%s (%s) is back, and still the master: no failover happened while it was down.\n", n.Service, n.Fault)
					continue
				}
				if n.Role == "sentinel" {
					fmt.Fprintf(streams.Out, "%s (%s) is back and agrees the master is %s, after %s.\n", n.Service, n.Fault, r.Master.Service, after)
					continue
				}
				fmt.Fprintf(streams.Out, "%s (%s) is back as a replica of %s, link up after %s; resync: %s.\n", n.Service, n.Fault, n.Master, after, n.Resync)
			}
			return nil
		},
	}
	cmd.Flags().DurationVar(&o.timeout, "timeout", 90*time.Second, "how long to wait for the revived nodes to rejoin")
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "output format: text or json")
	return cmd
}
