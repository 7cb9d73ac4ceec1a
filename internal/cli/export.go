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

type exportOptions struct {
	f *Factory
	// dir is the folder to write, "" for one named after the lab and the time.
	dir string
}

func newExportCommand(f *Factory, runF func(context.Context, *exportOptions) error) *cobra.Command {
	o := &exportOptions{f: f}
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
			if len(args) == 1 {
				o.dir = args[0]
			}
			return run(cmd.Context(), o, runF, runExport)
		},
	}
	return cmd
}

func runExport(ctx context.Context, o *exportOptions) error {
	s, err := o.f.Session(nil)
	if err != nil {
		return err
	}
	defer s.Close()
	about, err := s.Engine.Ping(ctx)
	if err != nil {
		return err
	}
	now, dir := s.Now(), o.dir
	if dir == "" {
		dir = fmt.Sprintf("sentinel-lab-export-%s-%s", s.Lab.Config.Name, now.Format("20060102-150405"))
	}
	var text, js bytes.Buffer
	if err := printConfig(&text, s.Lab, &configOptions{output: "text"}); err != nil {
		return err
	}
	if err := printConfig(&js, s.Lab, &configOptions{output: "json"}); err != nil {
		return err
	}
	x := &export.Export{
		Session:      s,
		LastFailover: failover.LastReportPath(s.Lab.Dir),
		About:        []string{"sentinel-lab " + versionString() + "; " + about + "."},
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
	fmt.Fprintln(o.f.IO.Out, res.Dir)
	fmt.Fprintf(o.f.IO.Out, "Exported lab %q: %s.\n", s.Lab.Config.Name, res.Summary())
	return nil
}
