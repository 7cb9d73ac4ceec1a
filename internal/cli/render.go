package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/render"
)

func newRenderCommand(g *globalOptions, streams Streams) *cobra.Command {
	var flags *configFlags
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
		RunE: func(cmd *cobra.Command, _ []string) error {
			l, err := resolveLab(g, flags)
			if err != nil {
				return err
			}
			res, err := l.Render(flags.set())
			if err != nil {
				return err
			}
			printRenderResult(streams.Out, l, res)
			return nil
		},
	}
	flags = addConfigFlags(cmd)
	return cmd
}

// printRenderResult lists what rendering did, file by file.
func printRenderResult(w io.Writer, l *lab.Lab, res *render.Result) {
	if !res.Changed() {
		fmt.Fprintf(w, "Nothing changed: the files of lab %q in %s are up to date.\n", l.Config.Name, l.Dir.Root)
		printKeptNotes(w, l, res)
		return
	}
	fmt.Fprintf(w, "Rendered %s in %s\n", l.Config.Describe(), l.Dir.Root)
	if len(res.Dirs) > 0 {
		fmt.Fprintf(w, "  %-9s %d mount folders under data/\n", "created", len(res.Dirs))
	}
	for _, f := range res.Files {
		if f.Action != render.Unchanged {
			fmt.Fprintf(w, "  %-9s %s\n", f.Action, l.Dir.Rel(f.Path))
		}
	}
	printKeptNotes(w, l, res)
}

func printKeptNotes(w io.Writer, l *lab.Lab, res *render.Result) {
	for _, f := range res.Files {
		if f.Action == render.KeptEdited {
			fmt.Fprintf(w, "note: %s was edited by hand and is kept; put your changes in compose/docker-compose.override.yml and delete it to render it again\n", l.Dir.Rel(f.Path))
		}
	}
	for _, n := range res.Notes {
		fmt.Fprintln(w, "note:", n)
	}
}
