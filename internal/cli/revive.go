package cli

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/present"
)

type reviveOptions struct {
	waitLock bool
	f        *Factory
	services []string
	timeout  time.Duration
	output   string
}

func newReviveCommand(f *Factory, runF func(context.Context, *reviveOptions) error) *cobra.Command {
	o := &reviveOptions{f: f}
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
			o.services = args
			return run(cmd.Context(), o, runF, runRevive)
		},
	}
	cmd.Flags().DurationVar(&o.timeout, "timeout", 90*time.Second, "how long to wait for the revived nodes to rejoin")
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "output format: text or json")
	addWaitLock(cmd, &o.waitLock)
	return cmd
}

func runRevive(ctx context.Context, o *reviveOptions) error {
	s, done, err := o.f.changeLab(ctx, "revive", o.waitLock, o.f.progressWriter(o.output))
	if err != nil {
		return err
	}
	defer done()
	last, err := failover.LastReport(s.Lab.Dir)
	if err != nil {
		return err
	}
	r, err := failover.Revive(ctx, s, failover.ReviveOptions{
		Services: o.services, Timeout: o.timeout, SplitBrain: last.PendingSplitBrain(),
	})
	if err != nil {
		return err
	}
	if o.output == "json" {
		return writeJSON(o.f.IO.Out, r)
	}
	present.WriteRevive(o.f.IO.Out, s.Lab.Config.Name, r)
	return nil
}
