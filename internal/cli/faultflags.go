package cli

import (
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/fault"
)

// faultFlags are the flags that say how to fault a node, shared by fault,
// kill-master and soak.
type faultFlags struct {
	modes  []fault.Mode
	mode   string
	forD   time.Duration
	delay  time.Duration
	jitter time.Duration
	loss   string
	from   []string
}

// addFaultFlags adds the flags; modes are those the command takes.
func addFaultFlags(cmd *cobra.Command, modes []fault.Mode, what string) *faultFlags {
	ff := &faultFlags{modes: modes}
	cmd.Flags().StringVar(&ff.mode, "mode", "kill", "how to fault "+what+": "+fault.ModeNames(modes))
	cmd.Flags().DurationVar(&ff.forD, "for", 0, "how long the fault lasts before it is undone (0: until revive); with --mode sleep, how long the node sleeps")
	cmd.Flags().DurationVar(&ff.delay, "delay", 0, "with --mode delay, how much each packet is delayed, such as 300ms (needs the kernel's netem)")
	cmd.Flags().DurationVar(&ff.jitter, "jitter", 0, "with --mode delay, how much the delay varies, such as 50ms")
	cmd.Flags().StringVar(&ff.loss, "loss", "", "with --mode loss, the share of packets dropped, such as 30% (default 100%: a partition)")
	if slices.Contains(modes, fault.Loss) {
		cmd.Flags().StringSliceVar(&ff.from, "from", nil, "with --mode loss, drop only the traffic between the node and these nodes (comma-separated or repeated): a partial partition")
	}
	return ff
}

// spec reads the flags into a fault, refusing what does not fit.
func (ff *faultFlags) spec() (fault.Spec, error) {
	m, err := fault.ParseMode(ff.mode, ff.modes)
	if err != nil {
		return fault.Spec{}, &UsageError{Err: err}
	}
	sp := fault.Spec{Mode: m, For: ff.forD, Delay: ff.delay, Jitter: ff.jitter, From: ff.from}
	switch {
	case ff.loss != "":
		if sp.LossPercent, err = fault.ParsePercent(ff.loss); err != nil {
			return sp, &UsageError{Err: err}
		}
	case m == fault.Loss:
		sp.LossPercent = 100
	}
	if err := sp.CheckFlags(); err != nil {
		return sp, err // a fault.UsageError: exit code 2
	}
	return sp, nil
}
