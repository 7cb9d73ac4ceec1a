package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
	"github.com/sentinel-lab/sentinel-lab/internal/report"
)

type reportOptions struct {
	file string
	lang string
}

func newReportCommand(g *globalOptions, streams Streams) *cobra.Command {
	o := &reportOptions{}
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Write the last failover as one HTML page",
		Long: `report renders the last failover kill-master recorded in this lab
(.sentinel-lab/last-failover.json) as one self-contained HTML file: the
topology before and after, the phase times, each sentinel's events as a
swimlane on a shared time axis with down-after marked and the leader first,
the annotated event list, the replicas' resyncs, and with kill-master --load
the client's acknowledged writes around the outage.

The page needs no network: open it in any browser, attach it to a ticket.
--lang zh writes headings and explanations in Chinese, whatever language
kill-master ran with. kill-master --report FILE writes the same page right
after the failover.`,
		Example: `  sentinel-lab report                        # report.html, in English
  sentinel-lab report -f failover.html --lang zh
  sentinel-lab report -f - > failover.html`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			lang, err := failover.ParseLang(o.lang)
			if err != nil {
				return &UsageError{Err: err}
			}
			dir, err := g.labDir()
			if err != nil {
				return err
			}
			r, err := readLastFailover(dir)
			if err != nil {
				return err
			}
			if err := noteStaleReport(streams, dir, r); err != nil {
				return err
			}
			return writeReport(streams, o.file, r, lang)
		},
	}
	cmd.Flags().StringVarP(&o.file, "file", "f", "report.html", "the HTML file to write, - for standard output")
	cmd.Flags().StringVar(&o.lang, "lang", "en", "language of headings and explanations: en or zh")
	return cmd
}

// readLastFailover reads what the last kill-master kept in the lab.
func readLastFailover(dir labdir.Dir) (*failover.Report, error) {
	path := failover.LastReportPath(dir)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no failover recorded in %s (no %s); run `sentinel-lab kill-master` first, then `sentinel-lab report`",
			dir.Root, dir.Rel(path))
	}
	if err != nil {
		return nil, err
	}
	var r failover.Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s is not a failover report (%v); run `sentinel-lab kill-master` to record a new one", path, err)
	}
	return &r, nil
}

// writeReport writes r as HTML to file, or to standard output for "-".
func writeReport(streams Streams, file string, r *failover.Report, lang failover.Lang) error {
	var b bytes.Buffer
	if err := report.Write(&b, r, report.Options{Lang: lang}); err != nil {
		return err
	}
	if file == "-" {
		_, err := streams.Out.Write(b.Bytes())
		return err
	}
	if err := labdir.WriteFileAtomic(file, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	fmt.Fprintf(streams.Err, "wrote %s: open it in a browser (it needs no network)\n", file)
	return nil
}
