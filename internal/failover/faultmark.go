package failover

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/fault"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
)

// FaultMark is what kill-master notes before it faults the master, so
// `report` can tell a saved failover from one a later, interrupted
// kill-master never saved.
type FaultMark struct {
	At     time.Time  `json:"at"`
	Mode   fault.Mode `json:"mode"`
	Master string     `json:"master"`
}

// LastFaultPath is where the last fault is noted.
func LastFaultPath(dir labdir.Dir) string {
	return dir.Path(labdir.StateDirName, "last-fault.json")
}

// MarkFault notes a fault about to be injected.
func MarkFault(dir labdir.Dir, m FaultMark) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir.StateDir(), 0o700); err != nil {
		return err
	}
	return labdir.WriteFileAtomic(LastFaultPath(dir), append(b, '\n'), 0o600)
}

// ReadFaultMark returns the last fault noted, nil when none was.
func ReadFaultMark(dir labdir.Dir) (*FaultMark, error) {
	b, err := os.ReadFile(LastFaultPath(dir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var m FaultMark
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s is damaged (%v); delete it", dir.Rel(LastFaultPath(dir)), err)
	}
	return &m, nil
}

// StaleReportNote says, when the lab was faulted after the failover r
// records (a kill-master interrupted or failed before it saved its own),
// that r is not about the last fault; "" otherwise.
func StaleReportNote(r *Report, m *FaultMark) string {
	if m == nil || !m.At.After(r.FaultAt) {
		return ""
	}
	return fmt.Sprintf("this is the failover faulted at %s (%s -> %s); the lab was faulted again at %s (%s of %s) by a kill-master that recorded no failover (interrupted, or no failover happened), so this page is older than the last fault; run `sentinel-lab kill-master` again for a report of it",
		r.FaultAt.Format("15:04:05"), r.OldMaster.Service, r.NewMaster.Service, m.At.Format("15:04:05"), m.Mode, m.Master)
}
