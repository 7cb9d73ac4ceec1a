package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/fault"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/present"
)

type statusOptions struct {
	f      *Factory
	output string
	check  bool
}

func newStatusCommand(f *Factory, runF func(context.Context, *statusOptions) error) *cobra.Command {
	o := &statusOptions{f: f}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show who is master, who replicates, and what each sentinel thinks",
		Long: `status shows, for each data node, its container state, role, address, master
link, replication offset and lag, connected replicas and replication id, and
the server and version the nodes run (Redis 6.2.16, Valkey 8.0.1); for
each sentinel, where it believes the master is, the master's flags
(s_down, o_down), the replicas and sentinels it sees, its epoch, TILT and its
CKQUORUM answer. Nodes that are down are shown as down.

With --check it exits with code 3 when the lab is not healthy (0 when it
is, 1 when it cannot be asked), for CI and scripts.`,
		Example: `  sentinel-lab status
  sentinel-lab status -o json
  sentinel-lab status --check || echo "not healthy"`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(o.output); err != nil {
				return err
			}
			return run(cmd.Context(), o, runF, runStatus)
		},
	}
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "output format: text or json")
	cmd.Flags().BoolVar(&o.check, "check", false, "exit with code 3 when the lab is not healthy")
	return cmd
}

func runStatus(ctx context.Context, o *statusOptions) error {
	s, err := o.f.Session(nil)
	if err != nil {
		return err
	}
	defer s.Close()
	r, err := s.Status(ctx)
	if err != nil {
		return err
	}
	if err := addFaults(ctx, s, r); err != nil {
		return err
	}
	if o.output == "json" {
		if err := writeJSON(o.f.IO.Out, r); err != nil {
			return err
		}
		return checkHealthy(o.check, r)
	}
	present.WriteStatus(o.f.IO.Out, r)
	return checkHealthy(o.check, r)
}

// addFaults notes in the report every fault in place, including those only
// the lab's records know (packet filters, sleeps, armed sentinels).
func addFaults(ctx context.Context, s *lab.Session, r *lab.Report) error {
	containers, err := s.Containers(ctx)
	if err != nil {
		return err
	}
	faults, err := fault.List(s.Lab, containers, s.Now())
	if err != nil {
		return err
	}
	for _, f := range faults {
		r.AddFault(f.Service, f.Text())
	}
	return nil
}
