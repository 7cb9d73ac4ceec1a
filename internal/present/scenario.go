package present

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/scenario"
)

// ScenarioEntry is one scenario of the catalogue, as `scenario list`
// shows it.
type ScenarioEntry struct {
	Name    string `json:"name"`
	Summary string `json:"summary"`
	Expect  string `json:"expect"`
}

// Catalogue is the scenario catalogue in lang.
func Catalogue(lang Lang) []ScenarioEntry {
	var out []ScenarioEntry
	for _, sc := range scenario.Catalogue() {
		out = append(out, ScenarioEntry{Name: sc.Name, Summary: scenarioText(lang, sc.Name, "summary"), Expect: scenarioText(lang, sc.Name, "expect")})
	}
	return out
}

func scenarioText(lang Lang, name, part string) string {
	return tr(lang, "scenario "+name+" "+part)
}

// WriteCatalogue prints the catalogue: one scenario a line, with what it
// expects.
func WriteCatalogue(w io.Writer, lang Lang) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, e := range Catalogue(lang) {
		fmt.Fprintf(tw, "%s\t%s\n\t  -> %s\n", e.Name, e.Summary, e.Expect)
	}
	tw.Flush()
}

// AnnotateScenario fills in the words of a result, in lang: what was
// expected and observed, each finding, and what each event means.
func AnnotateScenario(r *scenario.Result, lang Lang) {
	if _, err := scenario.Find(r.Name); err == nil {
		r.Expected = scenarioText(lang, r.Name, "expect")
	}
	var seen, failed []string
	for i, f := range r.Reasons {
		r.Reasons[i].Text = findingText(lang, f)
		seen = append(seen, r.Reasons[i].Text)
		if !f.OK {
			failed = append(failed, r.Reasons[i].Text)
		}
	}
	switch {
	case r.Error != "":
		r.Observed = r.Error
	case len(failed) > 0:
		r.Observed = strings.Join(failed, "; ")
	default:
		r.Observed = strings.Join(seen, "; ")
	}
	if r.Report == nil {
		return
	}
	Annotate(r.Report, lang)
	names := r.Report.Names()
	for i, e := range r.Timeline {
		if e.Source != scenario.SourceLab {
			r.Timeline[i].Explanation = Explain(failover.Event{Sentinel: e.Source, Type: e.What, Detail: e.Detail}, names, lang)
		}
	}
}

func findingText(lang Lang, f scenario.Finding) string {
	key := "check " + f.Key + " fail"
	if f.OK {
		key = "check " + f.Key + " ok"
	}
	if _, ok := texts[key]; !ok {
		return f.Key
	}
	args := make([]any, len(f.Args))
	for i, a := range f.Args {
		args[i] = a
	}
	return strings.TrimSpace(tr(lang, key, args...))
}

// WriteScenario prints a result: the verdict, what was expected and
// observed, each check, and the timeline with every event explained.
func WriteScenario(w io.Writer, r *scenario.Result, lang Lang) {
	verdict := tr(lang, "verdictPass")
	if r.Verdict != scenario.Pass {
		verdict = tr(lang, "verdictFail")
	}
	fmt.Fprintf(w, "%s: %s\n", tr(lang, "scenarioTitle", r.Name), verdict)
	if r.Lab != "" {
		fmt.Fprintf(w, "  %s\n", tr(lang, "scenarioLab", r.Lab, r.DownAfterMS, r.FailoverTimeoutMS))
	}
	if _, err := scenario.Find(r.Name); err == nil {
		fmt.Fprintf(w, "  %s: %s\n", tr(lang, "scenarioWhat"), scenarioText(lang, r.Name, "summary"))
	}
	fmt.Fprintf(w, "  %s: %s\n", tr(lang, "scenarioExpected"), r.Expected)
	fmt.Fprintf(w, "  %s: %s\n", tr(lang, "scenarioObserved"), r.Observed)
	if len(r.Reasons) > 0 {
		fmt.Fprintf(w, "\n%s\n", tr(lang, "scenarioReasons"))
		for _, f := range r.Reasons {
			mark := "ok  "
			if !f.OK {
				mark = "FAIL"
			}
			fmt.Fprintf(w, "  %s  %s\n", mark, f.Text)
		}
	}
	if len(r.Timeline) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s (%s)\n", tr(lang, "scenarioTimeline"), tr(lang, "scenarioNote"))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, e := range r.Timeline {
		if e.Source != scenario.SourceLab && !Interesting(e.What) {
			continue
		}
		text := e.Explanation
		if e.Source == scenario.SourceLab || text == "" {
			text = e.Detail
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", signedSeconds(e.AtMS), e.Source, e.What, text)
	}
	tw.Flush()
}

func signedSeconds(ms int64) string { return fmt.Sprintf("%+.3fs", float64(ms)/1000) }
