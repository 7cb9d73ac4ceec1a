package cli

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/export"
	"github.com/sentinel-lab/sentinel-lab/internal/failover"
)

func newExportCommand(g *globalOptions, f *Factory, streams Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export [dir]",
		Short: "Write one folder with everything needed to understand or report the lab",
		Long: `export writes a folder (by default sentinel-lab-export-<lab>-<time> in the
current directory) holding:

  README.txt                 what each file is
  config.txt, config.json    the effective configuration and where each value came from
  compose/                   the compose file(s) and .env
  status.json                sentinel-lab status -o json
  nodes/<node>/info.txt      INFO all of every node and sentinel
  nodes/<node>/*.conf        each node's conf as Redis and Sentinel rewrote it
  nodes/<node>/*.log         each node's log, with its container's output
  nodes/<sentinel>/sentinel-{master,replicas,sentinels}.json, sentinel-ckquorum.txt
                             what each sentinel says about the master
  containers/<service>.json  docker inspect of every container of the lab
  logs.txt                   every log interleaved by time
  last-failover.json         the last kill-master report, when there is one
  errors.txt                 what could not be collected (a node that is down)

The lab password is replaced by ******** in every file, so the folder can be
shared as it is.`,
		Example: `  sentinel-lab export
  sentinel-lab export /tmp/lab-report && tar czf lab-report.tgz -C /tmp lab-report`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageErrorf("export takes one folder, got %q", args)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := ""
			if len(args) == 1 {
				dir = args[0]
			}
			return runExport(cmd.Context(), g, f, streams, dir)
		},
	}
	return cmd
}

func runExport(ctx context.Context, g *globalOptions, f *Factory, streams Streams, dir string) error {
	in, err := openInspection(ctx, g, f)
	if err != nil {
		return err
	}
	now := time.Now()
	if dir == "" {
		dir = fmt.Sprintf("sentinel-lab-export-%s-%s", in.lab.Config.Name, now.Format("20060102-150405"))
	}
	var text, js bytes.Buffer
	if err := printConfig(&text, in.lab, &configOptions{output: "text"}); err != nil {
		return err
	}
	if err := printConfig(&js, in.lab, &configOptions{output: "json"}); err != nil {
		return err
	}
	pr := in.lab.Prober(in.env.Engine, f.Reach)
	defer pr.Close()
	x := &export.Export{
		Lab: in.lab, Env: in.env, Inspector: in.ins, Asker: pr,
		LastFailover: failover.LastReportPath(in.lab.Dir),
		About:        []string{"sentinel-lab " + versionString() + "; " + in.engine + "."},
		Now:          func() time.Time { return now },
	}
	res, err := x.Write(ctx, dir, []export.File{
		{Name: "config.txt", About: "the lab's configuration and where each value came from (sentinel-lab config)", Data: text.Bytes()},
		{Name: "config.json", About: "the lab's configuration as JSON", Data: js.Bytes()},
	})
	if err != nil {
		return err
	}
	if abs, err := filepath.Abs(res.Dir); err == nil {
		res.Dir = abs
	}
	fmt.Fprintln(streams.Out, res.Dir)
	fmt.Fprintf(streams.Out, "Exported lab %q: %s.\n", in.lab.Config.Name, res.Summary())
	return nil
}
