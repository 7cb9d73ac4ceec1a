package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/nodelog"
)

type logsOptions struct {
	follow bool
	since  string
	tail   int
}

// followInterval paces `logs -f`: fast enough to read like a stream, slow
// enough that a lab of many nodes costs the engine little.
const followInterval = 300 * time.Millisecond

func newLogsCommand(g *globalOptions, f *Factory, streams Streams) *cobra.Command {
	o := &logsOptions{}
	cmd := &cobra.Command{
		Use:   "logs [service...]",
		Short: "Show the nodes' logs, interleaved by time, the service in front of each line",
		Long: `logs shows the log of each node (every node of the lab when none is named):
the file Redis or Sentinel writes, /logs/redis.log or /logs/sentinel.log in
its container (data/<node>/logs in the lab directory), plus what the
container printed itself, which is where start-up errors go. Lines are read
through the Docker Engine API, so stopped nodes and remote daemons work too,
and interleaved by the time Redis wrote on each.

A node whose container is gone (after down) is read from the lab directory.`,
		Example: `  sentinel-lab logs
  sentinel-lab logs sentinel-1 sentinel-2 sentinel-3 --since 5m
  sentinel-lab logs master --tail 20 -f`,
		Args:              cobra.ArbitraryArgs,
		ValidArgsFunction: completeServices(g, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			since, err := nodelog.ParseSince(o.since, time.Now())
			if err != nil {
				return &UsageError{Err: err}
			}
			return runLogs(cmd.Context(), g, f, streams, args, since, o)
		},
	}
	cmd.Flags().BoolVarP(&o.follow, "follow", "f", false, "keep printing new lines until Ctrl-C")
	cmd.Flags().StringVar(&o.since, "since", "", "only lines written since a duration ago (10m) or a time (2026-11-24T13:57:00Z)")
	cmd.Flags().IntVarP(&o.tail, "tail", "n", -1, "only the last N lines of each node (-1: all)")
	return cmd
}

func runLogs(ctx context.Context, g *globalOptions, f *Factory, streams Streams, args []string, since time.Time, o *logsOptions) error {
	in, err := openInspection(ctx, g, f)
	if err != nil {
		return err
	}
	nodes, err := selectNodes(in.lab.Topology, args)
	if err != nil {
		return err
	}
	ids, err := in.containerIDs(ctx)
	if err != nil {
		return err
	}
	targets := nodelog.Targets(in.lab.Dir, nodes, ids)
	for _, t := range targets {
		if t.ContainerID == "" {
			fmt.Fprintf(streams.Err, "%s has no container; reading %s from this host\n", t.Service, in.lab.Dir.Rel(t.LocalPath))
		}
	}
	r := nodelog.NewReader(nodelog.FromEngine(in.env.Engine, in.ins))
	lists, readErr := r.Read(ctx, targets)
	for i := range lists {
		lists[i] = nodelog.Tail(nodelog.Since(lists[i], since), o.tail)
	}
	p := nodelog.NewPrinter(streams.Out, services(nodes))
	if err := p.Print(nodelog.Merge(lists...)); err != nil {
		return err
	}
	if readErr != nil {
		return readErr
	}
	if !o.follow {
		return nil
	}
	return r.Follow(ctx, followInterval, followTargets(in, nodes, streams), p.Print)
}
