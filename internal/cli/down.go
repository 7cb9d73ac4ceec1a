package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
)

type downOptions struct {
	volumes bool
}

func newDownCommand(g *globalOptions, f *Factory, streams Streams) *cobra.Command {
	o := &downOptions{}
	cmd := &cobra.Command{
		Use:   "down",
		Short: "Remove the lab's containers and network (data/ is kept)",
		Long: `down removes the lab's containers and network, found by their labels. It is
idempotent. The data folders under data/ are the lab's state (keys, sentinel
epochs) and are kept, so a later up resumes the lab as it was; --volumes
deletes them too.`,
		Example: `  sentinel-lab down
  sentinel-lab down --volumes   # also delete data/<node> for every node`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := g.labDir()
			if err != nil {
				return err
			}
			volumes := o.volumes
			l, err := lab.OpenWithoutPassword(dir)
			if errors.Is(err, lab.ErrNoLab) {
				// Nothing was rendered here; a lab started by plain compose
				// from these files still goes by the configured name. Its
				// folders under data/ were not made by sentinel-lab, so they
				// are never deleted: they may be a hand-made lab's data.
				l, err = labFromConfig(dir)
				if volumes {
					volumes = false
					defer fmt.Fprintf(streams.Out, "data/ is kept: no lab was created here with sentinel-lab (%s is missing), so --volumes deletes nothing; delete the folders yourself if you mean to.\n",
						dir.Rel(dir.StateDir()))
				}
			}
			if err != nil {
				return err
			}
			env, err := f.Env(streams.Err)
			if err != nil {
				return err
			}
			res, err := env.Down(cmd.Context(), l, lab.DownOptions{Volumes: volumes})
			if err != nil {
				return err
			}
			if len(res.Containers) == 0 && len(res.Networks) == 0 {
				fmt.Fprintf(streams.Out, "Lab %q is not running; nothing to remove.\n", l.Config.Name)
			} else {
				fmt.Fprintf(streams.Out, "Lab %q is down: removed %d containers and %d networks.\n", l.Config.Name, len(res.Containers), len(res.Networks))
			}
			switch {
			case volumes && len(res.DeletedData) > 0:
				fmt.Fprintf(streams.Out, "Deleted %d data folders under data/.\n", len(res.DeletedData))
			case !o.volumes:
				fmt.Fprintln(streams.Out, "data/ is kept: `sentinel-lab up` resumes the lab as it was (down --volumes deletes it).")
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&o.volumes, "volumes", false, "also delete the lab's data folders (data/<node>)")
	return cmd
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
