package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/nodelog"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// followTargets finds the followed nodes' containers at every poll of
// `logs -f`, saying on stderr when one stops, goes or comes back.
func followTargets(s *lab.Session, nodes []topology.Node, errw io.Writer) func(context.Context) ([]nodelog.Target, error) {
	notes := &nodelog.StateNotes{}
	names := make([]string, len(nodes))
	for i, n := range nodes {
		names[i] = n.Service
	}
	return func(ctx context.Context) ([]nodelog.Target, error) {
		cs, err := s.Containers(ctx)
		if err != nil {
			return nil, err
		}
		ids, states := map[string]string{}, map[string]string{}
		for s, c := range cs {
			ids[s], states[s] = c.ID, c.State
		}
		for _, n := range notes.Notes(names, states) {
			fmt.Fprintln(errw, "logs: "+n)
		}
		return nodelog.Targets(s.Lab.Dir, nodes, ids), nil
	}
}
