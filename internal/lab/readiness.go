package lab

import (
	"context"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/nodelog"
	"github.com/sentinel-lab/sentinel-lab/internal/readiness"
	"github.com/sentinel-lab/sentinel-lab/internal/render"
)

// Readiness reads what the lab's sentinels logged since since and says
// whether they can start a failover now and what trouble they had.
func (s *Session) Readiness(ctx context.Context, since time.Time) (readiness.Report, error) {
	containers, err := s.Containers(ctx)
	if err != nil {
		return readiness.Report{}, err
	}
	t := s.Lab.Topology
	targets := nodelog.Targets(s.Lab.Dir, t.Sentinels(), ContainerIDs(containers))
	lists, err := nodelog.NewReader(s.Engine).Read(ctx, targets)
	if err != nil {
		return readiness.Report{}, err
	}
	var notes []nodelog.SentinelNote
	for _, lines := range lists {
		notes = append(notes, nodelog.SentinelNotes(nodelog.Since(lines, since))...)
	}
	// The sentinels' ids, to name the ones voted for, are in their confs:
	// asking the sentinels would cost a round trip each.
	ids := map[string]string{}
	for service, id := range render.SentinelIDs(s.Lab.Dir, t) {
		ids[id] = service
	}
	var names []string
	for _, n := range t.Sentinels() {
		names = append(names, n.Service)
	}
	return readiness.Assess(notes, names, ids, s.Lab.Config.FailoverTimeout, s.Now()), nil
}

// ContainerIDs maps each service to its container's id, as log targets
// want them.
func ContainerIDs(containers map[string]engine.Container) map[string]string {
	out := map[string]string{}
	for svc, c := range containers {
		out[svc] = c.ID
	}
	return out
}
