package fault

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
)

// Kind is a fault as found on a node: what revive undoes.
type Kind string

// The kinds of faults. The first three the engine tells from a container's
// state; the others only the lab's records know.
const (
	Stopped Kind = "stopped"
	Paused  Kind = "paused"
	CutOff  Kind = "cut off"
	// Filtered: packet filter rules drop some or all of its traffic.
	Filtered Kind = "packet filter"
	// Delayed: netem delays its packets.
	Delayed Kind = "delayed"
	// Sleeping: DEBUG SLEEP blocks it until a known time.
	Sleeping Kind = "sleeping"
	// Armed: a sentinel set to crash during the next failover it leads.
	Armed Kind = "armed"
)

// Record is what the lab remembers of a fault the engine cannot see, to
// show and undo it later.
type Record struct {
	Service string `json:"service"`
	Kind    Kind   `json:"kind"`
	Spec    Spec   `json:"spec"`
	// Container is the container faulted: a record of a container since
	// recreated is stale.
	Container string    `json:"container"`
	At        time.Time `json:"at"`
	// Until is when a sleeping node wakes.
	Until time.Time `json:"until,omitzero"`
	// Device is the network interface netem was set on.
	Device string `json:"device,omitempty"`
}

// recordsMu serialises this process's changes to the records file; the
// lab lock serialises commands.
var recordsMu sync.Mutex

func recordsPath(dir labdir.Dir) string { return dir.Path(labdir.StateDirName, "faults.json") }

// ReadRecords returns the lab's fault records; none when the file is absent.
func ReadRecords(dir labdir.Dir) ([]Record, error) {
	b, err := os.ReadFile(recordsPath(dir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Record
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("%s is damaged (%v); delete it, then undo any packet filter by restarting the node (`docker restart`)", dir.Rel(recordsPath(dir)), err)
	}
	return out, nil
}

// change rewrites the records with fn applied.
func change(dir labdir.Dir, fn func([]Record) []Record) error {
	recordsMu.Lock()
	defer recordsMu.Unlock()
	recs, err := ReadRecords(dir)
	if err != nil {
		return err
	}
	recs = fn(recs)
	if len(recs) == 0 {
		if err := os.Remove(recordsPath(dir)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	b, err := json.MarshalIndent(recs, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir.StateDir(), 0o700); err != nil {
		return err
	}
	return labdir.WriteFileAtomic(recordsPath(dir), append(b, '\n'), 0o600)
}

// remember adds r, replacing a record of the same node and kind.
func remember(dir labdir.Dir, r Record) error {
	return change(dir, func(recs []Record) []Record {
		recs = slices.DeleteFunc(recs, func(o Record) bool { return o.Service == r.Service && o.Kind == r.Kind })
		return append(recs, r)
	})
}

// forget drops the record of service's fault of kind k.
func forget(dir labdir.Dir, service string, k Kind) error {
	return change(dir, func(recs []Record) []Record {
		return slices.DeleteFunc(recs, func(o Record) bool { return o.Service == service && o.Kind == k })
	})
}
