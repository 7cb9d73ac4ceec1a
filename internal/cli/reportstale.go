package cli

import (
	"fmt"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
)

// noteStaleReport warns, on stderr, when the saved failover is older than
// the lab's last fault.
func noteStaleReport(streams Streams, dir labdir.Dir, r *failover.Report) error {
	m, err := failover.ReadFaultMark(dir)
	if err != nil {
		return err
	}
	if note := failover.StaleReportNote(r, m); note != "" {
		fmt.Fprintln(streams.Err, "note: "+note)
	}
	return nil
}
