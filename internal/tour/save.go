package tour

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
)

// SaveTour keeps the tour with the lab, so `sentinel-lab report` can draw
// its sync sections beside the failover it made.
func SaveTour(dir labdir.Dir, t *Tour) error {
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir.StateDir(), 0o700); err != nil {
		return err
	}
	return labdir.WriteFileAtomic(LastTourPath(dir), append(b, '\n'), 0o600)
}

// LastTourPath is where the last tour is kept.
func LastTourPath(dir labdir.Dir) string { return dir.Path(labdir.StateDirName, "last-tour.json") }

// LastTour reads the last tour; nil when there is none.
func LastTour(dir labdir.Dir) (*Tour, error) {
	b, err := os.ReadFile(LastTourPath(dir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var t Tour
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("%s is not a tour (%v)", LastTourPath(dir), err)
	}
	return &t, nil
}

// Syncs are the tour's sync sections (full-sync, partial-sync), the ones
// a failover report shows beside the failover.
func (t *Tour) Syncs() []*Section {
	var out []*Section
	for _, s := range t.Sections {
		if s.ID == FullSync || s.ID == PartialSync {
			out = append(out, s)
		}
	}
	return out
}
