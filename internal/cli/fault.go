package cli

import (
	"time"

	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/fault"
	"github.com/sentinel-lab/sentinel-lab/internal/present"
)

type faultOptions struct {
	waitLock bool
	f        *Factory
	services []string
	faults   *faultFlags
	spec     fault.Spec
	output   string
}

func newFaultCommand(f *Factory, runF func(context.Context, *faultOptions) error) *cobra.Command {
	o := &faultOptions{f: f}
	cmd := &cobra.Command{
		Use:   "fault <service>... --mode MODE",
		Short: "Fault any node, data node or sentinel, any way; revive undoes it",
		Long: `fault does one thing to each node named, master, replica or sentinel:

  kill        SIGKILL: the node dies without a word
  stop        SIGTERM: it shuts down cleanly
  pause       frozen: its connections stay open, silent
  disconnect  moved off the lab network, still running (the host reaches it)
  sleep       DEBUG SLEEP for --for: silent while its connections stay open,
              then it wakes by itself (data nodes)
  loss        --loss of its packets dropped (default 100%: a partition),
              only those to and from the --from nodes when given
  delay       --delay (and --jitter) on every packet; needs the kernel's netem
  crash-after-election, crash-after-promotion
              arms a sentinel to exit in the middle of the next failover it
              leads (SENTINEL SIMULATE-FAILURE)

loss and delay are set in the node's own network namespace by a short-lived
helper container that alone has NET_ADMIN; the node keeps no extra
capability. Its image is built from this host's nft, tc and ip.

With --for the command waits that long and undoes the fault; without, the
fault stays until sentinel-lab revive, which undoes any of them. status
shows every fault in place.`,
		Example: `  sentinel-lab fault node-1 --mode kill
  sentinel-lab fault sentinel-1 --mode pause --for 3s          # TILT when it resumes
  sentinel-lab fault master --mode sleep --for 5s              # a slow master
  sentinel-lab fault master --mode loss --loss 30%
  sentinel-lab fault master --mode loss --from sentinel-1,sentinel-2   # a partial partition
  sentinel-lab fault sentinel-1 sentinel-2 sentinel-3 --mode crash-after-election`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErrorf("name the nodes to fault: sentinel-lab fault <service>... --mode MODE, such as sentinel-lab fault node-1 --mode kill")
			}
			return nil
		},
		ValidArgsFunction: completeServices(f, -1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(o.output); err != nil {
				return err
			}
			var err error
			if o.spec, err = o.faults.spec(); err != nil {
				return err
			}
			o.services = args
			return run(cmd.Context(), o, runF, runFault)
		},
	}
	o.faults = addFaultFlags(cmd, fault.Modes, "the nodes")
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "output format: text or json")
	addWaitLock(cmd, &o.waitLock)
	return cmd
}

// faultResult is what fault -o json prints.
type faultResult struct {
	Applied []fault.Applied `json:"applied"`
	// Undone lists what was undone after --for.
	Undone []string `json:"undone"`
}

func runFault(ctx context.Context, o *faultOptions) error {
	s, done, err := o.f.changeLab(ctx, "fault", o.waitLock, o.f.progressWriter(o.output))
	if err != nil {
		return err
	}
	defer done()
	targets, err := selectNodes(s.Lab.Topology, o.services)
	if err != nil {
		return err
	}
	res := faultResult{Undone: []string{}}
	if res.Applied, err = fault.Apply(ctx, s, targets, o.spec); err != nil {
		return err
	}
	if o.spec.For > 0 && o.spec.Mode != fault.Sleep {
		s.Progress.Printf("holding the fault for %s", o.spec.For)
		select {
		case <-ctx.Done():
			return &InterruptedError{Err: ctx.Err(), Advice: "the fault is still in place: `sentinel-lab revive` undoes it"}
		case <-s.Time().After(o.spec.For):
		}
		lifted, err := fault.Lift(ctx, s, o.services)
		for _, f := range lifted {
			res.Undone = append(res.Undone, fmt.Sprintf("%s: %s", f.Service, f.Kind.Undone()))
		}
		if err != nil {
			return err
		}
		// A sentinel started again runs the default periods until told.
		if err := s.WaitTimers(ctx, o.services, 30*time.Second); err != nil {
			return err
		}
	}
	if o.output == "json" {
		return writeJSON(o.f.IO.Out, res)
	}
	present.WriteFault(o.f.IO.Out, s.Lab.Config.Name, res.Applied, res.Undone)
	return nil
}
