package cli

import (
	"context"
	"fmt"

	"github.com/sentinel-lab/sentinel-lab/internal/nodelog"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// followTargets finds the followed nodes' containers at every poll of
// `logs -f`, saying on stderr when one stops, goes or comes back.
func followTargets(in *inspection, nodes []topology.Node, streams Streams) func(context.Context) ([]nodelog.Target, error) {
	notes := &nodelog.StateNotes{}
	return func(ctx context.Context) ([]nodelog.Target, error) {
		cs, err := in.containers(ctx)
		if err != nil {
			return nil, err
		}
		ids, states := map[string]string{}, map[string]string{}
		for s, c := range cs {
			ids[s], states[s] = c.ID, c.State
		}
		for _, n := range notes.Notes(services(nodes), states) {
			fmt.Fprintln(streams.Err, "logs: "+n)
		}
		return nodelog.Targets(in.lab.Dir, nodes, ids), nil
	}
}
