package present

// The HTML report: a failover as one self-contained page: the topology
// before and after, the phase times, every sentinel's events as a swimlane
// on a shared time axis, the annotated event list the seed document writes
// by hand, the replicas' resyncs and, when kill-master ran with --load, the
// client's acknowledged writes around the outage.
//
// It is pure: a *failover.Report in, HTML out. The page needs no network:
// CSS and SVG are inline, there is no script, and a Content-Security-Policy
// forbids fetching anything.

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/fault"
)

//go:embed report.html.tmpl
var pageTemplate string

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"list": func(v ...topoView) []topoView { return v },
	"odd":  func(i int) bool { return i%2 == 1 },
	"add":  func(a, b float64) float64 { return round1(a + b) },
	"sub":  func(a, b float64) float64 { return round1(a - b) },
}).Parse(pageTemplate))

// WriteHTML renders r as one HTML page to w, in lang.
func WriteHTML(w io.Writer, r *failover.Report, lang Lang) error {
	if lang == "" {
		lang = English
	}
	v, err := build(r, lang)
	if err != nil {
		return err
	}
	return execute(w, v)
}

// execute writes the page of v.
func execute(w io.Writer, v *view) error {
	var b bytes.Buffer
	if err := page.Execute(&b, v); err != nil {
		return err
	}
	// html/template writes every "+" as "&#43;" (against UTF-7 sniffing,
	// which the page's charset declaration rules out); event types start
	// with "+", and the file should read and grep like the sentinel logs.
	_, err := io.WriteString(w, strings.ReplaceAll(b.String(), "&#43;", "+"))
	return err
}

// view is everything the template shows, computed here so the template only
// prints.
type view struct {
	Lang, HTMLLang string
	T              map[string]string

	Title, Heading, FaultAt string
	// Server names the server the lab ran, "" when the report does not say.
	Server  string
	Summary []summaryItem
	Lost    string

	Before, After topoView
	Revive        string

	Phases []phaseRow

	Timeline timelineView
	Legend   []legendItem

	Events  []eventRow
	Routine string

	Resyncs []resyncRow

	// Syncs are the sync sections of the tour that made the failover.
	Syncs []syncView

	Load *loadView

	// Scenario, on a scenario's page, is its verdict and checks; a run
	// with no failover (NoFailover) has no new master to draw.
	Scenario   *scenarioView
	NoFailover bool
}

type summaryItem struct {
	Label, Value, Note string
	Wide               bool
}

type phaseRow struct {
	Key, Label, Since, VsDownAfter string
	Late                           bool
}

type eventRow struct {
	Time, Clock, Sentinel, Type, Detail, Explanation, Cat string
	Leader                                                bool
}

type resyncRow struct {
	Replica, Follows, Kind, Label string
}

type legendItem struct{ Cat, Label string }

func build(r *failover.Report, lang Lang) (*view, error) {
	v := &view{Lang: string(lang), HTMLLang: "en", T: map[string]string{}}
	if lang == Chinese {
		v.HTMLLang = "zh-Hans"
	}
	for k := range texts {
		v.T[k] = tr(lang, k)
	}
	v.header(r, lang)
	v.Before, v.After = topologies(r, lang)
	if r.OldMaster.Service != "" {
		v.Revive = tr(lang, "revive", r.OldMaster.Service)
	}
	v.phases(r, lang)

	events, routine := shownEvents(r)
	names := r.Names()
	explain := func(e failover.Event) string { return explained(e, names, lang) }
	v.events(r, events, explain)
	if routine > 0 {
		v.Routine = tr(lang, "routine", routine)
	}

	end, err := axisEnd(r, events)
	if err != nil {
		return nil, err
	}
	ax := newAxis(r, events, r.Load, end)
	v.Timeline = buildTimeline(r, events, ax, lang, explain)
	for _, c := range categories {
		v.Legend = append(v.Legend, legendItem{Cat: c.name, Label: tr(lang, c.label)})
	}
	if r.Load != nil {
		v.Load = buildLoad(r.Load, r, ax, lang)
	}
	for _, rs := range r.Resyncs {
		v.Resyncs = append(v.Resyncs, resyncRow{Replica: rs.Service, Follows: r.NewMaster.Service, Kind: rs.Resync, Label: resyncText(lang, rs.Resync)})
	}
	return v, nil
}

// header is the title, the fault's time and the summary cards.
func (v *view) header(r *failover.Report, lang Lang) {
	v.Title = fmt.Sprintf("%s: %s → %s", tr(lang, "title"), r.OldMaster.Service, r.NewMaster.Service)
	v.Heading = tr(lang, "heading", r.MasterName, r.Lab)
	if !r.FaultAt.IsZero() {
		v.FaultAt = tr(lang, "faultAt", r.FaultAt.Format("2006-01-02 15:04:05.000 MST"))
		if r.FaultCallMS > 0 {
			v.FaultAt += "; " + tr(lang, "faultCall", r.FaultCallMS)
		}
		if r.HeldBack != nil {
			v.FaultAt += ". " + heldBackText(r.HeldBack, lang)
		}
	}
	d := r.DownAfterMS
	leaderNote := ""
	if r.Epoch > 0 {
		leaderNote = tr(lang, "epoch", r.Epoch)
	}
	if len(r.Followers) > 0 {
		leaderNote += " · " + tr(lang, "followers") + ": " + strings.Join(r.Followers, ", ")
	}
	v.Summary = []summaryItem{
		{Label: tr(lang, "oldMaster"), Value: r.OldMaster.Service, Note: r.OldMaster.Addresses()},
		{Label: tr(lang, "newMaster"), Value: r.NewMaster.Service, Note: r.NewMaster.Addresses()},
		{Label: tr(lang, "fault"), Value: orDash(string(r.Mode)), Note: faultText(lang, r)},
		{Label: tr(lang, "downAfter"), Value: fmt.Sprintf("%d ms", d), Note: "D"},
		{Label: tr(lang, "leader"), Value: orDash(r.Leader), Note: strings.TrimPrefix(leaderNote, " · ")},
		{Label: tr(lang, "failoverIn"), Value: seconds(r.FailoverMS), Note: vsD(r.FailoverMS, d)},
		{Label: tr(lang, "convergedIn"), Value: seconds(r.ConvergedMS), Note: vsD(r.ConvergedMS, d)},
	}
	if r.Timers != "" { // reports saved before the timers were recorded have none
		v.Summary = append(v.Summary, summaryItem{Label: tr(lang, "timers"), Value: string(r.Timers), Note: timersText(r.Timers, lang)})
	}
	if r.Server != "" { // reports saved before the server was recorded have none
		v.Server = tr(lang, "server", r.Server)
	}
	if len(r.Lost) > 0 {
		v.Lost = tr(lang, "lost") + ": " + strings.Join(r.Lost, ", ")
	}
}

// phases is the table of phase times against down-after.
func (v *view) phases(r *failover.Report, lang Lang) {
	nm := r.NewMaster.Service
	for _, p := range []struct {
		key, label string
		ms         int64
	}{
		{"failover_ms", tr(lang, "phaseFailover"), r.FailoverMS},
		{"agreed_ms", tr(lang, "phaseAgreed"), r.AgreedMS},
		{"promoted_ms", tr(lang, "phasePromoted", nm), r.PromotedMS},
		{"replicas_linked_ms", tr(lang, "phaseLinked", nm), r.ReplicasLinkedMS},
		{"converged_ms", tr(lang, "phaseConverged"), r.ConvergedMS},
	} {
		v.Phases = append(v.Phases, phaseRow{Key: p.key, Label: p.label, Since: seconds(p.ms), VsDownAfter: vsD(p.ms, r.DownAfterMS), Late: p.key == "converged_ms"})
	}
}

// events is the annotated event list.
func (v *view) events(r *failover.Report, events []failover.Event, explain func(failover.Event) string) {
	for _, e := range events {
		clock := ""
		if !r.FaultAt.IsZero() {
			clock = r.FaultAt.Add(msDuration(e.AtMS)).Format("15:04:05.000")
		}
		v.Events = append(v.Events, eventRow{
			Time: "+" + seconds(e.AtMS), Clock: clock, Sentinel: e.Sentinel, Type: e.Type, Detail: e.Detail,
			Explanation: explain(e), Cat: categoryOf(e.Type), Leader: e.Sentinel == r.Leader,
		})
	}
}

// shownEvents are the events after the fault that tell the failover, in
// time order; routine counts the chatter left out.
func shownEvents(r *failover.Report) (shown []failover.Event, routine int) {
	for _, e := range r.Events {
		if e.AtMS < 0 {
			continue
		}
		if !Interesting(e.Type) {
			routine++
			continue
		}
		shown = append(shown, e)
	}
	sort.SliceStable(shown, func(i, j int) bool { return shown[i].AtMS < shown[j].AtMS })
	return shown, routine
}

func modeText(lang Lang, m fault.Mode) string {
	return trNamed(lang, "mode", string(m), string(m))
}

// faultText says what was done: the mode's words, with the fault's own
// description (loss 30% from sentinel-1) when it says more, or what a
// scenario did instead of faulting the master.
func faultText(lang Lang, r *failover.Report) string {
	if r.Mode == "" {
		return r.Fault
	}
	t := modeText(lang, r.Mode)
	if r.Fault != "" && r.Fault != string(r.Mode) {
		t += " · " + r.Fault
	}
	return t
}

func resyncText(lang Lang, kind string) string {
	return trNamed(lang, "resync", kind, tr(lang, "resyncUnknown"))
}

// resyncShort names a resync kind in a few words, for the topology's arrows.
func resyncShort(lang Lang, kind string) string {
	return trNamed(lang, "link", kind, tr(lang, "resyncUnknown"))
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// seconds writes ms as seconds with ms precision: 1.234 s.
func seconds(ms int64) string { return fmt.Sprintf("%.3f s", float64(ms)/1000) }

// vsD writes ms against down-after: D + 0.834 s, D − 0.120 s.
func vsD(ms, d int64) string {
	x := ms - d
	if x < 0 {
		return "D − " + seconds(-x)
	}
	return "D + " + seconds(x)
}
