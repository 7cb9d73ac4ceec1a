package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/nodelog"
)

type logsOptions struct {
	f        *Factory
	services []string
	follow   bool
	since    time.Time
	tail     int
}

// followInterval paces `logs -f`: fast enough to read like a stream, slow
// enough that a lab of many nodes costs the engine little.
const followInterval = 300 * time.Millisecond

func newLogsCommand(f *Factory, runF func(context.Context, *logsOptions) error) *cobra.Command {
	o := &logsOptions{f: f}
	var since string
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
		ValidArgsFunction: completeServices(f, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if o.since, err = nodelog.ParseSince(since, f.Time().Now()); err != nil {
				return &UsageError{Err: err}
			}
			o.services = args
			return run(cmd.Context(), o, runF, runLogs)
		},
	}
	cmd.Flags().BoolVarP(&o.follow, "follow", "f", false, "keep printing new lines until Ctrl-C")
	cmd.Flags().StringVar(&since, "since", "", "only lines written since a duration ago (10m) or a time (2026-11-24T13:57:00Z)")
	cmd.Flags().IntVarP(&o.tail, "tail", "n", -1, "only the last N lines of each node (-1: all)")
	return cmd
}

func runLogs(ctx context.Context, o *logsOptions) error {
	s, err := o.f.Session(nil)
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.Engine.Ping(ctx); err != nil {
		return err
	}
	nodes, err := selectNodes(s.Lab.Topology, o.services)
	if err != nil {
		return err
	}
	targets := func(ctx context.Context) ([]nodelog.Target, error) {
		containers, err := s.Containers(ctx)
		if err != nil {
			return nil, err
		}
		return nodelog.Targets(s.Lab.Dir, nodes, lab.ContainerIDs(containers)), nil
	}
	first, err := targets(ctx)
	if err != nil {
		return err
	}
	for _, t := range first {
		if t.ContainerID == "" {
			fmt.Fprintf(o.f.IO.Err, "%s has no container; reading %s from this host\n", t.Service, s.Lab.Dir.Rel(t.LocalPath))
		}
	}
	r := nodelog.NewReader(s.Engine)
	lists, readErr := r.Read(ctx, first)
	for i := range lists {
		lists[i] = nodelog.Tail(nodelog.Since(lists[i], o.since), o.tail)
	}
	names := make([]string, len(nodes))
	for i, n := range nodes {
		names[i] = n.Service
	}
	p := nodelog.NewPrinter(o.f.IO.Out, names)
	if err := p.Print(nodelog.Merge(lists...)); err != nil {
		return err
	}
	if readErr != nil {
		return readErr
	}
	if !o.follow {
		return nil
	}
	return r.Follow(ctx, followInterval, followTargets(s, nodes, o.f.IO.Err), p.Print)
}
