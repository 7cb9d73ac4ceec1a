package present

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/load"
)

// The charts share one horizontal layout, so the timeline and the load
// chart line up: a column of lane names, then the time axis.
const (
	chartW  = 1200.0
	chartX0 = 180.0 // where the time axis starts
	chartX1 = 1170.0
	rowH    = 15.0 // one row of labels
	// monoCharW is the advance of a character of the 11px monospace font of
	// event labels, to keep labels from overlapping.
	monoCharW = 6.7
)

// axis maps ms since the fault to x.
type axis struct {
	StartMS, EndMS int64
	X0, X1         float64
	StepMS         int64
}

func (a axis) x(ms int64) float64 {
	return round1(a.X0 + float64(ms-a.StartMS)/float64(a.EndMS-a.StartMS)*(a.X1-a.X0))
}

// axisEnd is the last moment worth showing: the latest event or phase.
func axisEnd(r *failover.Report, events []failover.Event) (int64, error) {
	end := max(r.DownAfterMS, r.FailoverMS, r.AgreedMS, r.PromotedMS, r.ReplicasLinkedMS, r.ConvergedMS)
	for _, e := range events {
		end = max(end, e.AtMS)
	}
	if end <= 0 {
		return 0, fmt.Errorf("the failover report has no times (converged_ms %d, no events); is it a kill-master report?", r.ConvergedMS)
	}
	return end, nil
}

// newAxis spans from the fault (or the first client write, if earlier) to
// a little after end, in whole tick steps.
func newAxis(r *failover.Report, events []failover.Event, ld *load.Result, end int64) axis {
	start := int64(0)
	if ld != nil && len(ld.Series) > 0 {
		start = min(start, ld.Series[0].TMS)
		end = max(end, ld.Series[len(ld.Series)-1].TMS+bucketMS(ld))
	}
	span := float64(end-start) * 1.04
	step := int64(60000)
	for _, s := range []int64{100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 30000} {
		if span/float64(s) <= 12 {
			step = s
			break
		}
	}
	// The axis starts at the fault, or a little before it to show the
	// first client writes; it ends on a tick.
	a := axis{X0: chartX0, X1: chartX1, StepMS: step}
	a.StartMS = -ceilDiv(-start, 100) * 100
	a.EndMS = ceilDiv(int64(math.Ceil(span))+start, step) * step
	if a.EndMS <= 0 {
		a.EndMS = step
	}
	return a
}

func ceilDiv(a, b int64) int64 {
	if a <= 0 {
		return -((-a) / b)
	}
	return (a + b - 1) / b
}

type tick struct {
	X     float64
	Label string
}

func (a axis) ticks() []tick {
	var out []tick
	for t := ceilDiv(a.StartMS, a.StepMS) * a.StepMS; t <= a.EndMS; t += a.StepMS {
		f := "%.1f"
		switch {
		case a.StepMS%1000 == 0:
			f = "%.0f"
		case a.StepMS%100 != 0:
			f = "%.2f"
		}
		out = append(out, tick{X: a.x(t), Label: fmt.Sprintf(f, float64(t)/1000)})
	}
	return out
}

// category groups event types by the step of the failover they belong to;
// the timeline colours marks by it.
type category struct {
	name, label string
	types       []string
}

var categories = []category{
	{"detect", "catDetect", []string{"+sdown", "-sdown", "+odown"}},
	{"elect", "catElect", []string{"+new-epoch", "+try-failover", "+vote-for-leader", "+elected-leader"}},
	{"promote", "catPromote", []string{"+failover-state-select-slave", "+selected-slave", "+failover-state-send-slaveof-noone",
		"+failover-state-wait-promotion", "+promoted-slave"}},
	{"reconf", "catReconf", []string{"+failover-state-reconf-slaves", "+slave-reconf-sent", "+slave-reconf-inprog", "+slave-reconf-done"}},
	{"switch", "catSwitch", []string{"-odown", "+failover-end", "+switch-master", "+config-update-from", "+convert-to-slave"}},
	{"trouble", "catTrouble", []string{"+tilt", "-tilt", "+failover-end-for-timeout", "-failover-abort-*"}},
	{"other", "catOther", nil},
}

func categoryOf(typ string) string {
	for _, c := range categories {
		for _, t := range c.types {
			if t == typ || (strings.HasSuffix(t, "*") && strings.HasPrefix(typ, strings.TrimSuffix(t, "*"))) {
				return c.name
			}
		}
	}
	return "other"
}

// timelineView is the swimlane picture, fully laid out.
type timelineView struct {
	Width, Height float64
	Axis          axis
	Lanes         []laneView
	Markers       []markerView
	// FaultBand spans the engine call that carried the fault out: times
	// count from its start, the fault took effect somewhere inside.
	FaultBand  *band
	Ticks      []tick
	GridY1     float64
	AxisY      float64
	AxisTitle  string
	AxisTitleX float64
}

type laneView struct {
	Sentinel, Role string
	Leader, Lost   bool
	Y, H           float64
	NameY, RoleY   float64
	MarkY          float64
	Marks          []markView
}

type markView struct {
	AtMS           int64
	Type, Cat, Tip string
	X, Y, R        float64
	LineY1, LineY2 float64
	LabelX, LabelY float64
	Anchor         string
	// BgX and BgW place a background behind the label, so that lines
	// crossing it do not cross its text.
	BgX, BgW float64
}

// markerView is a vertical line across every lane: the fault, down-after,
// and each phase moment.
type markerView struct {
	X, Y1, Y2      float64
	Class, Label   string
	LabelX, LabelY float64
	Anchor         string
	Tip            string
	BgX, BgW       float64
}

// labelBg is the background of a label of width w written at x with anchor.
func labelBg(x, w float64, anchor string) (float64, float64) {
	if anchor == "end" {
		return round1(x - w - 2), round1(w + 4)
	}
	return round1(x - 2), round1(w + 4)
}

// span is what a label covers on a row.
type span struct{ from, to float64 }

// rows places labels in the first row where they do not overlap the
// labels already there; it returns each label's row.
type rows [][]span

func (rs *rows) place(s span) int {
	for i, row := range *rs {
		free := true
		for _, o := range row {
			if s.from < o.to+6 && o.from < s.to+6 {
				free = false
				break
			}
		}
		if free {
			(*rs)[i] = append(row, s)
			return i
		}
	}
	*rs = append(*rs, []span{s})
	return len(*rs) - 1
}

// labelSpan is where a label of width w goes for a mark at x: to its right,
// or to its left near the end of the axis.
func labelSpan(x, w float64) (span, float64, string) {
	if x+4+w > chartW-4 {
		return span{x - 4 - w, x}, x - 4, "end"
	}
	return span{x, x + 4 + w}, x + 4, "start"
}

// textWidth estimates the width of s at size px: CJK characters are square,
// others about 0.6 em (exact for monospace, generous for sans-serif).
func textWidth(s string, px float64) float64 {
	w := 0.0
	for _, r := range s {
		if r >= 0x2E80 {
			w += px
		} else {
			w += 0.61 * px
		}
	}
	return w
}

func msDuration(ms int64) time.Duration { return time.Duration(ms) * time.Millisecond }

// marker is a moment drawn as a vertical line across a chart.
type marker struct {
	ms                int64
	class, label, tip string
}

// placeMarkers writes the markers' labels (with their time) in rows from
// top down to the chart, without overlaps, and returns where the chart
// below them starts. The lines' bottom (Y2) is for the caller to set.
func placeMarkers(ax axis, top float64, ms []marker, d int64) ([]markerView, float64) {
	var hdr rows
	row := make([]int, len(ms))
	for i := range ms {
		if ms[i].ms < 0 {
			row[i] = -1
			continue
		}
		ms[i].label += " " + seconds(ms[i].ms)
		s, _, _ := labelSpan(ax.x(ms[i].ms), textWidth(ms[i].label, 11))
		row[i] = hdr.place(s)
	}
	chartTop := top + float64(len(hdr))*rowH + 10
	var out []markerView
	for i, m := range ms {
		if row[i] < 0 {
			continue
		}
		x := ax.x(m.ms)
		w := textWidth(m.label, 11)
		_, lx, anchor := labelSpan(x, w)
		ly := chartTop - 8 - float64(row[i])*rowH
		mv := markerView{
			X: x, Y1: ly + 3, Class: m.class, Label: m.label, LabelX: lx, LabelY: ly, Anchor: anchor,
			Tip: m.tip + " — " + seconds(m.ms) + " (" + vsD(m.ms, d) + ")",
		}
		mv.BgX, mv.BgW = labelBg(lx, w, anchor)
		out = append(out, mv)
	}
	return out, chartTop
}

// buildTimeline lays the events out: one lane per sentinel (leader first),
// each event a mark at its time with its type written above it, labels
// stacked in rows so that none overlaps another.
func buildTimeline(r *failover.Report, events []failover.Event, ax axis, lang Lang, explain func(failover.Event) string) timelineView {
	tv := timelineView{Width: chartW, Axis: ax, Ticks: ax.ticks()}

	// Markers first: their labels take the rows above the lanes.
	d := r.DownAfterMS
	markers, lanesTop := placeMarkers(ax, 8, []marker{
		{0, "fault", tr(lang, "markFault") + " (" + orDash(string(r.Mode)) + ")", tr(lang, "fault") + ": " + faultText(lang, r)},
		{d, "downafter", "down-after", tr(lang, "downAfter")},
		{r.FailoverMS, "phase", tr(lang, "markFailover"), "failover_ms: " + tr(lang, "phaseFailover")},
		{r.AgreedMS, "phase", tr(lang, "markAgreed"), "agreed_ms: " + tr(lang, "phaseAgreed")},
		{r.PromotedMS, "phase", tr(lang, "markPromoted"), "promoted_ms: " + tr(lang, "phasePromoted", r.NewMaster.Service)},
		{r.ReplicasLinkedMS, "phase", tr(lang, "markLinked"), "replicas_linked_ms: " + tr(lang, "phaseLinked", r.NewMaster.Service)},
	}, d)
	tv.Markers = markers

	lost := map[string]bool{}
	for _, s := range r.Lost {
		lost[s] = true
	}
	y := lanesTop
	tv.GridY1 = lanesTop
	for _, s := range laneOrder(r, events) {
		lane := buildLane(r, s, events, ax, lang, explain, y, lost[s])
		tv.Lanes = append(tv.Lanes, lane)
		y += lane.H
	}
	tv.AxisY = y
	if r.FaultCallMS > 0 {
		x0, x1 := ax.x(0), ax.x(r.FaultCallMS)
		tv.FaultBand = &band{X: x0, W: math.Max(round1(x1-x0), 1), Y: lanesTop, H: round1(y - lanesTop),
			Label: tr(lang, "faultBand") + fmt.Sprintf(": 0–%d ms", r.FaultCallMS)}
	}
	for i := range tv.Markers {
		tv.Markers[i].Y2 = y
	}
	tv.AxisTitle = tr(lang, "secondsAxis")
	tv.AxisTitleX = round1((chartX0 + chartX1) / 2)
	tv.Height = y + 44
	return tv
}

// buildLane lays out one sentinel's lane from height y down: its events'
// marks, their labels stacked in rows so that none overlaps another.
func buildLane(r *failover.Report, s string, events []failover.Event, ax axis, lang Lang, explain func(failover.Event) string, y float64, lost bool) laneView {
	lane := laneView{Sentinel: s, Leader: s == r.Leader, Lost: lost, Y: y}
	lane.Role = tr(lang, "roleFollower")
	if lane.Leader {
		lane.Role = tr(lang, "roleLeader")
		if r.Epoch > 0 {
			lane.Role += " · " + tr(lang, "epoch", r.Epoch)
		}
	}
	if lane.Lost {
		lane.Role += " · " + tr(lang, "stoppedAnswering")
	}
	var lr rows
	type placed struct {
		e        failover.Event
		row      int
		lx       float64
		anchor   string
		x        float64
		explains string
	}
	var ps []placed
	for _, e := range events {
		if e.Sentinel != s {
			continue
		}
		x := ax.x(e.AtMS)
		sp, lx, anchor := labelSpan(x, textWidth(e.Type, 11))
		ps = append(ps, placed{e: e, row: lr.place(sp), lx: lx, anchor: anchor, x: x, explains: explain(e)})
	}
	n := max(len(lr), 1)
	lane.MarkY = y + 10 + float64(n)*rowH + 10
	lane.H = lane.MarkY - y + 16
	lane.NameY = y + lane.H/2 - 2
	lane.RoleY = lane.NameY + 16
	for _, p := range ps {
		labelY := lane.MarkY - 14 - float64(p.row)*rowH
		m := markView{
			AtMS: p.e.AtMS, Type: p.e.Type, Cat: categoryOf(p.e.Type),
			X: p.x, Y: lane.MarkY, R: 5,
			LineY1: lane.MarkY - 5, LineY2: labelY - 3,
			LabelX: p.lx, LabelY: labelY, Anchor: p.anchor,
			Tip: fmt.Sprintf("+%s · %s · %s\n%s\n%s", seconds(p.e.AtMS), s, p.e.Type, p.explains, p.e.Detail),
		}
		m.BgX, m.BgW = labelBg(p.lx, textWidth(p.e.Type, 11), p.anchor)
		if p.e.Type == "+elected-leader" || p.e.Type == "+switch-master" {
			m.R = 6.5
		}
		lane.Marks = append(lane.Marks, m)
	}
	return lane
}

// laneOrder lists the sentinels, leader first, then the others by name:
// every sentinel of the lab, and any other that published events.
func laneOrder(r *failover.Report, events []failover.Event) []string {
	seen := map[string]bool{}
	var rest []string
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			if s != r.Leader {
				rest = append(rest, s)
			}
		}
	}
	add(r.Leader)
	for _, s := range r.Sentinels {
		add(s.Service)
	}
	for _, s := range r.Followers {
		add(s)
	}
	for _, e := range events {
		add(e.Sentinel)
	}
	sort.Slice(rest, func(i, j int) bool { return naturalLess(rest[i], rest[j]) })
	if r.Leader != "" {
		return append([]string{r.Leader}, rest...)
	}
	return rest
}

// naturalLess orders sentinel-2 before sentinel-10.
func naturalLess(a, b string) bool {
	ta, na := splitNum(a)
	tb, nb := splitNum(b)
	if ta != tb || na < 0 || nb < 0 {
		return a < b
	}
	return na < nb
}

func splitNum(s string) (string, int) {
	i := len(s)
	for i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
		i--
	}
	if i == len(s) || utf8.RuneCountInString(s[i:]) > 6 {
		return s, -1
	}
	n := 0
	fmt.Sscan(s[i:], &n)
	return s[:i], n
}
