package load

import (
	"context"

	"github.com/sentinel-lab/sentinel-lab/internal/probe"
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

// CountDropped checks, on the current master at masterAddr, which of the
// writes the isolated old master acknowledged are gone.
func CountDropped(ctx context.Context, nodes probe.Nodes, masterAddr, oldMaster string, iso *Isolated) (*Dropped, error) {
	seqs, err := ParseRanges(iso.AckedRanges)
	if err != nil {
		return nil, err
	}
	lost, err := Missing(ctx, nodes, masterAddr, iso.KeyPrefix, seqs)
	if err != nil {
		return nil, err
	}
	return &Dropped{OldMaster: oldMaster, Acked: len(seqs), Lost: len(lost), LostRanges: Ranges(lost)}, nil
}
