package cli

import (
	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/load"
)

// loadFlags are the client-writer flags kill-master and soak share.
type loadFlags struct {
	on           bool
	rate         int
	waitReplicas int
}

func addLoadFlags(cmd *cobra.Command, what string) *loadFlags {
	lf := &loadFlags{}
	cmd.Flags().BoolVar(&lf.on, "load", false, "write through a sentinel-aware client "+what+" and report the outage and lost writes")
	cmd.Flags().IntVar(&lf.rate, "rate", 100, "writes per second with --load")
	cmd.Flags().IntVar(&lf.waitReplicas, "wait-replicas", 0, "with --load, each write waits (WAIT) for this many replicas before it counts as acknowledged")
	return lf
}

// check refuses values the writer cannot use.
func (lf *loadFlags) check() error {
	if lf.rate < 1 || lf.rate > 10000 {
		return usageErrorf("--rate %d is out of range; use 1 to 10000 writes per second", lf.rate)
	}
	if lf.waitReplicas < 0 {
		return usageErrorf("--wait-replicas %d is negative; use 0 (do not wait) or more", lf.waitReplicas)
	}
	return nil
}

func (lf *loadFlags) options() load.Options {
	return load.Options{Rate: lf.rate, WaitReplicas: lf.waitReplicas}
}
