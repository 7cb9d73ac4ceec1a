package present

import (
	"errors"
	"io"

	"github.com/sentinel-lab/sentinel-lab/internal/scenario"
)

// scenarioView is a scenario's verdict at the top of its page.
type scenarioView struct {
	Title, Verdict, VerdictText, Lab string
	What, Expected, Observed         string
	Checks                           []scenario.Finding
	Steps                            []stepRow
}

type stepRow struct{ Time, What, Detail string }

// WriteScenarioHTML writes a scenario's result as one self-contained
// page: its verdict and checks, then the failover report's pieces (the
// timeline of every sentinel, the annotated events), without the new
// master's topology and phases when no failover came.
func WriteScenarioHTML(w io.Writer, r *scenario.Result, lang Lang) error {
	if lang == "" {
		lang = English
	}
	if r.Report == nil {
		return errors.New("the run ended before the sentinels were watched, so there is no timeline to draw: " + r.Observed)
	}
	v, err := build(r.Report, lang)
	if err != nil {
		return err
	}
	v.NoFailover = r.Report.NewMaster.Service == ""
	v.Title = tr(lang, "scenarioTitle", r.Name)
	v.Heading = v.Title + " · " + r.Lab
	if v.NoFailover {
		// No new master: its cards would show phases never reached.
		var keep []summaryItem
		for _, it := range v.Summary {
			switch it.Label {
			case tr(lang, "newMaster"), tr(lang, "failoverIn"), tr(lang, "convergedIn"):
			default:
				keep = append(keep, it)
			}
		}
		v.Summary = keep
	}
	sv := &scenarioView{
		Title: v.Title, Verdict: r.Verdict, VerdictText: tr(lang, "verdictPass"),
		Lab:      tr(lang, "scenarioLab", r.Lab, r.DownAfterMS, r.FailoverTimeoutMS),
		Expected: r.Expected, Observed: r.Observed, Checks: r.Reasons,
	}
	if r.Verdict != scenario.Pass {
		sv.VerdictText = tr(lang, "verdictFail")
	}
	if _, err := scenario.Find(r.Name); err == nil {
		sv.What = scenarioText(lang, r.Name, "summary")
	}
	for _, e := range r.Timeline {
		if e.Source == scenario.SourceLab {
			sv.Steps = append(sv.Steps, stepRow{Time: signedSeconds(e.AtMS), What: e.What, Detail: e.Detail})
		}
	}
	v.Scenario = sv
	return execute(w, v)
}
