package load

import (
	"context"
	"encoding/json"
	"errors"
	"os"

	"github.com/redis/go-redis/v9"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
)

// Dropped is what a partitioned old master acknowledged while cut off and
// dropped when it rejoined as a replica.
type Dropped struct {
	OldMaster string `json:"old_master"`
	// Acked is how many writes it acknowledged while cut off.
	Acked int `json:"acked"`
	// Lost is how many of them the lab no longer has.
	Lost       int      `json:"lost"`
	LostRanges []string `json:"lost_ranges"`
}

// PendingSplitBrain returns the isolated writes of the last failover when it
// was a partition with --load, and the old master they went to; nil when
// there are none.
func PendingSplitBrain(dir labdir.Dir) (*Isolated, string, error) {
	b, err := os.ReadFile(failover.LastReportPath(dir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	var last struct {
		Mode      failover.Mode    `json:"mode"`
		OldMaster failover.NodeRef `json:"old_master"`
		Load      *Result          `json:"load"`
	}
	if err := json.Unmarshal(b, &last); err != nil {
		return nil, "", err
	}
	if last.Mode != failover.Disconnect || last.Load == nil || last.Load.Isolated == nil || last.Load.Isolated.Acked == 0 {
		return nil, "", nil
	}
	return last.Load.Isolated, last.OldMaster.Service, nil
}

// CountDropped checks, on the current master, which writes the isolated
// old master acknowledged are gone.
func CountDropped(ctx context.Context, master *redis.Client, oldMaster string, iso *Isolated) (*Dropped, error) {
	seqs, err := ParseRanges(iso.AckedRanges)
	if err != nil {
		return nil, err
	}
	lost, err := Missing(ctx, master, iso.KeyPrefix, seqs)
	if err != nil {
		return nil, err
	}
	return &Dropped{OldMaster: oldMaster, Acked: len(seqs), Lost: len(lost), LostRanges: Ranges(lost)}, nil
}
