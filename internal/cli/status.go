package cli

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/lab"
)

type statusOptions struct {
	output string
}

func newStatusCommand(g *globalOptions, f *Factory, streams Streams) *cobra.Command {
	o := &statusOptions{}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show who is master, who replicates, and what each sentinel thinks",
		Long: `status shows, for each data node, its container state, role, address, master
link, replication offset and lag, connected replicas and replication id, and
the server and version the nodes run (Redis 6.2.16, Valkey 8.0.1); for
each sentinel, where it believes the master is, the master's flags
(s_down, o_down), the replicas and sentinels it sees, its epoch, TILT and its
CKQUORUM answer. Nodes that are down are shown as down.`,
		Example: `  sentinel-lab status
  sentinel-lab status -o json`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(o.output); err != nil {
				return err
			}
			l, err := openLab(g)
			if err != nil {
				return err
			}
			env, err := f.Env(nil)
			if err != nil {
				return err
			}
			r, err := env.Status(cmd.Context(), l)
			if err != nil {
				return err
			}
			if o.output == "json" {
				return writeJSON(streams.Out, r)
			}
			printStatus(streams.Out, r)
			return nil
		},
	}
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "output format: text or json")
	return cmd
}

// openLab opens the lab a previous render or up left in the lab directory.
func openLab(g *globalOptions) (*lab.Lab, error) {
	dir, err := g.labDir()
	if err != nil {
		return nil, err
	}
	return lab.Open(dir)
}

func printStatus(w io.Writer, r *lab.Report) {
	verdict := "healthy"
	if !r.Healthy {
		verdict = "NOT healthy"
	}
	fmt.Fprintf(w, "Lab %q is %s.", r.Lab, verdict)
	if r.Master != nil {
		fmt.Fprintf(w, " Master: %s at %s (monitored as %q).", r.Master.Service, r.Master.Address, r.MasterName)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Server: %s; image %s.\n", orText(r.Server, "not known (no data node answers)"), r.Image)
	for _, p := range r.Problems {
		fmt.Fprintf(w, "  - %s\n", p)
	}

	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nNODE\tCONTAINER\tROLE\tADDRESS\tMASTER\tLINK\tOFFSET\tLAG\tREPLICAS\tREPLID")
	for _, n := range r.Nodes {
		lag := "-"
		if n.Lag != nil {
			lag = strconv.FormatInt(*n.Lag, 10)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%d\t%s\n",
			n.Service, containerText(n.State, n.Network), n.Role, n.Address, dash(n.MasterService), dash(n.MasterLinkStatus),
			n.Offset, lag, n.ConnectedReplicas, dash(short(n.ReplID)))
	}
	fmt.Fprintln(tw, "\nSENTINEL\tCONTAINER\tMASTER\tFLAGS\tREPLICAS\tSENTINELS\tEPOCH\tTILT\tCKQUORUM")
	for _, s := range r.Sentinels {
		if s.Error != "" {
			fmt.Fprintf(tw, "%s\t%s\tdown\t-\t-\t-\t-\t-\t-\n", s.Service, containerText(s.State, s.Network))
			continue
		}
		quorum := "OK"
		if !s.QuorumOK {
			quorum = "NO: " + s.QuorumReply
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\n",
			s.Service, containerText(s.State, s.Network), fmt.Sprintf("%s (%s)", dash(s.MasterService), s.MasterAddress),
			s.Flags, s.Replicas, s.Sentinels, s.Epoch, yesNo(s.Tilt), quorum)
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
