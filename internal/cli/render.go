package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/present"
)

type renderOptions struct {
	f     *Factory
	flags *configFlags
}

func newRenderCommand(f *Factory, runF func(context.Context, *renderOptions) error) *cobra.Command {
	o := &renderOptions{f: f}
	cmd := &cobra.Command{
		Use:   "render",
		Short: "Write the lab's compose file, confs and mount folders, without starting anything",
		Long: `render writes compose/docker-compose.yml (and compose/.env), creates
data/<node>/{data,logs} for every node and renders each node's redis.conf or
sentinel.conf into its data folder. A conf that exists is kept: Redis and
Sentinel rewrite their own. Running it again changes nothing.

The result runs under sentinel-lab up, or unchanged under plain
docker compose (in compose/: docker compose up -d).`,
		Example: `  sentinel-lab render
  sentinel-lab render --dir /tmp/lab --replicas 4 --sentinels 5
  sentinel-lab render --port 7000 --master-name mymaster`,
		RunE: func(cmd *cobra.Command, _ []string) error { return run(cmd.Context(), o, runF, runRender) },
	}
	o.flags = addConfigFlags(cmd)
	return cmd
}

func runRender(_ context.Context, o *renderOptions) error {
	l, err := o.f.resolveLab(o.flags)
	if err != nil {
		return err
	}
	res, err := l.Render(o.flags.set())
	if err != nil {
		return err
	}
	present.WriteRender(o.f.IO.Out, l, res)
	return nil
}

// resolveLab resolves the lab of the lab directory under the given
// configuration flags, for the commands that render or show it; it writes
// nothing and never connects to Docker.
func (f *Factory) resolveLab(flags *configFlags) (*lab.Lab, error) {
	dir, err := f.LabDir()
	if err != nil {
		return nil, err
	}
	cfg, err := flags.load(dir)
	if err != nil {
		return nil, err
	}
	return lab.Resolve(dir, cfg, nil)
}
