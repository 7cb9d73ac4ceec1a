package cli

import (
	"bytes"
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
	"github.com/sentinel-lab/sentinel-lab/internal/present"
	"github.com/sentinel-lab/sentinel-lab/internal/tour"
)

type reportOptions struct {
	f    *Factory
	file string
	lang present.Lang
}

func newReportCommand(f *Factory, runF func(context.Context, *reportOptions) error) *cobra.Command {
	o := &reportOptions{f: f}
	var lang string
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Write the last failover as one HTML page",
		Long: `report renders the last failover kill-master recorded in this lab
(.sentinel-lab/last-failover.json) as one self-contained HTML file: the
topology before and after, the phase times, each sentinel's events as a
swimlane on a shared time axis with down-after marked and the leader first,
the annotated event list, the replicas' resyncs, and with kill-master --load
the client's acknowledged writes around the outage. When sentinel-lab tour
made the failover, the page also shows its full and partial resync: both
logs annotated, and the offsets that tie them to INFO.

The page needs no network: open it in any browser, attach it to a ticket.
--lang zh writes headings and explanations in Chinese, whatever language
kill-master ran with. kill-master --report FILE writes the same page right
after the failover.`,
		Example: `  sentinel-lab report                        # report.html, in English
  sentinel-lab report -f failover.html --lang zh
  sentinel-lab report -f - > failover.html`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if o.lang, err = present.ParseLang(lang); err != nil {
				return &UsageError{Err: err}
			}
			return run(cmd.Context(), o, runF, runReport)
		},
	}
	cmd.Flags().StringVarP(&o.file, "file", "f", "report.html", "the HTML file to write, - for standard output")
	cmd.Flags().StringVar(&lang, "lang", "en", "language of headings and explanations: en or zh")
	return cmd
}

func runReport(_ context.Context, o *reportOptions) error {
	dir, err := o.f.LabDir()
	if err != nil {
		return err
	}
	r, err := failover.LastReport(dir)
	if err != nil {
		return fmt.Errorf("%w; run `sentinel-lab kill-master` to record a new one", err)
	}
	if r == nil {
		return fmt.Errorf("no failover recorded in %s (no %s); run `sentinel-lab kill-master` first, then `sentinel-lab report`",
			dir.Root, dir.Rel(failover.LastReportPath(dir)))
	}
	if err := noteStaleReport(o.f.IO, dir, r); err != nil {
		return err
	}
	return writeReport(o.f.IO, o.file, r, o.lang, tourSyncs(dir, r))
}

// tourSyncs are the sync sections of the tour that made r's failover, none
// when another command made it.
func tourSyncs(dir labdir.Dir, r *failover.Report) []*tour.Section {
	t, err := tour.LastTour(dir)
	if err != nil || t == nil || !t.FaultAt.Equal(r.FaultAt) {
		return nil
	}
	return t.Syncs()
}

// writeReport writes r as HTML to file, or to standard output for "-",
// with the sync sections of the tour that made it, if any.
func writeReport(streams Streams, file string, r *failover.Report, lang present.Lang, syncs []*tour.Section) error {
	var b bytes.Buffer
	if err := present.WriteHTMLWithSyncs(&b, r, syncs, lang); err != nil {
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
