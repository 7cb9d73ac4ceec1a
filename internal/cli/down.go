package cli

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
	"github.com/sentinel-lab/sentinel-lab/internal/present"
)

type downOptions struct {
	waitLock bool
	f        *Factory
	volumes  bool
}

func newDownCommand(f *Factory, runF func(context.Context, *downOptions) error) *cobra.Command {
	o := &downOptions{f: f}
	cmd := &cobra.Command{
		Use:   "down",
		Short: "Remove the lab's containers and network (data/ is kept)",
		Long: `down removes the lab's containers and network, found by their labels. It is
idempotent. The data folders under data/ are the lab's state (keys, sentinel
epochs) and are kept, so a later up resumes the lab as it was; --volumes
deletes them too.`,
		Example: `  sentinel-lab down
  sentinel-lab down --volumes   # also delete data/<node> for every node`,
		RunE: func(cmd *cobra.Command, _ []string) error { return run(cmd.Context(), o, runF, runDown) },
	}
	cmd.Flags().BoolVar(&o.volumes, "volumes", false, "also delete the lab's data folders (data/<node>)")
	addWaitLock(cmd, &o.waitLock)
	return cmd
}

func runDown(ctx context.Context, o *downOptions) error {
	release, err := o.f.lockLab(ctx, "down", o.waitLock)
	if err != nil {
		return err
	}
	defer release()
	dir, err := o.f.LabDir()
	if err != nil {
		return err
	}
	out := o.f.IO.Out
	volumes := o.volumes
	l, err := lab.OpenWithoutPassword(dir)
	if errors.Is(err, lab.ErrNoLab) {
		// Nothing was rendered here; a lab started by plain compose from
		// these files still goes by the configured name. Its folders under
		// data/ were not made by sentinel-lab, so they are never deleted:
		// they may be a hand-made lab's data.
		l, err = labFromConfig(dir)
		if volumes {
			volumes = false
			defer present.WriteDataKeptNoLab(out, dir)
		}
	}
	if err != nil {
		return err
	}
	s, err := o.f.NewSession(o.f.IO.Err)
	if err != nil {
		return err
	}
	defer s.Close()
	s.Lab = l
	res, err := s.Down(ctx, lab.DownOptions{Volumes: volumes})
	if err != nil {
		return err
	}
	present.WriteDown(out, l.Config.Name, res, o.volumes)
	return nil
}

func labFromConfig(dir labdir.Dir) (*lab.Lab, error) {
	layers, err := lab.Layers(dir, nil)
	if err != nil {
		return nil, err
	}
	cfg, err := config.Load(layers)
	if err != nil {
		return nil, err
	}
	return lab.Resolve(dir, cfg, nil)
}
