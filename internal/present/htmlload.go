package present

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/load"
)

// bucketMS is the width of one point of the series.
func bucketMS(ld *load.Result) int64 {
	if len(ld.Series) > 1 && ld.Series[1].TMS > ld.Series[0].TMS {
		return ld.Series[1].TMS - ld.Series[0].TMS
	}
	return 100
}

type loadView struct {
	Note, Wait, LostText, Failures, Isolated string
	Lost                                     bool
	Stats                                    []summaryItem
	Chart                                    loadChart
}

type loadChart struct {
	Width, Height    float64
	X0, X1           float64 // the time axis
	Markers          []markerView
	Ticks            []tick
	YTicks           []ytick
	PlotY0, PlotY1   float64
	AckArea, AckLine string
	FailLine         string
	Outage           *band
	AxisTitle        string
	AxisTitleX       float64
	YTitle, FailName string
	Legend           []legendItem
}

type ytick struct {
	Y     float64
	Label string
}

type band struct {
	X, W, Y, H     float64
	Label          string
	LabelX, LabelY float64
	Anchor         string
	BgX, BgW       float64
}

func buildLoad(ld *load.Result, r *failover.Report, ax axis, lang Lang) *loadView {
	v := &loadView{Note: tr(lang, "loadNote", ld.Rate)}
	if ld.WaitReplicas > 0 {
		v.Wait = tr(lang, "loadWait", ld.WaitReplicas)
	}
	v.Stats = []summaryItem{
		{Label: tr(lang, "attempted"), Value: fmt.Sprint(ld.Attempted)},
		{Label: tr(lang, "acked"), Value: fmt.Sprint(ld.Acked)},
		{Label: tr(lang, "failed"), Value: fmt.Sprint(ld.Failed)},
		{Label: tr(lang, "outage"), Value: seconds(ld.OutageMS), Note: fmt.Sprintf("%+d … %+d ms", ld.OutageStartMS, ld.OutageEndMS)},
		{Label: tr(lang, "lostAcked"), Value: fmt.Sprint(ld.LostAcked)},
	}
	v.Lost = ld.LostAcked > 0
	if v.Lost {
		v.LostText = tr(lang, "loss", ld.LostAcked, strings.Join(ld.LostRanges, ", "))
	} else {
		v.LostText = tr(lang, "noLoss")
	}
	if len(ld.Failures) > 0 {
		var parts []string
		for k, n := range ld.Failures {
			parts = append(parts, fmt.Sprintf("%s %d", k, n))
		}
		sort.Strings(parts)
		v.Failures = tr(lang, "failures", strings.Join(parts, ", "))
	}
	if iso := ld.Isolated; iso != nil {
		v.Isolated = tr(lang, "isolated", iso.Attempted, iso.Acked, "+"+seconds(iso.LastAckMS))
		if iso.Refused > 0 {
			v.Isolated += " " + tr(lang, "isolatedRefused", iso.Refused)
		}
	}
	v.Chart = loadChartOf(ld, r, ax, lang)
	return v
}

// loadChartOf draws the acknowledged (and failed) writes per second,
// bucket by bucket, on the timeline's time axis, with the outage shaded.
func loadChartOf(ld *load.Result, r *failover.Report, ax axis, lang Lang) loadChart {
	c := loadChart{Width: chartW, X0: ax.X0, X1: ax.X1, Ticks: ax.ticks(), AxisTitle: tr(lang, "secondsAxis"), AxisTitleX: round1((chartX0 + chartX1) / 2),
		YTitle: tr(lang, "ackedPerSecond"), FailName: tr(lang, "failedPerSecond")}
	d := r.DownAfterMS
	c.Markers, c.PlotY0 = placeMarkers(ax, 8, []marker{
		{0, "fault", tr(lang, "markFault") + " (" + orDash(string(r.Mode)) + ")", tr(lang, "fault") + ": " + faultText(lang, r)},
		{d, "downafter", "down-after", tr(lang, "downAfter")},
		{r.FailoverMS, "phase", tr(lang, "markFailover"), "failover_ms: " + tr(lang, "phaseFailover")},
	}, d)
	const plotH = 190.0
	c.PlotY0 += 16 // room for the outage label
	c.PlotY1 = c.PlotY0 + plotH
	for i := range c.Markers {
		c.Markers[i].Y2 = c.PlotY1
	}

	bucket := bucketMS(ld)
	perSecond := 1000 / float64(bucket)
	top := 0.0
	for _, p := range ld.Series {
		top = math.Max(top, float64(max(p.Acked, p.Failed))*perSecond)
	}
	yMax, yStep := niceScale(top)
	y := func(rate float64) float64 { return round1(c.PlotY1 - rate/yMax*plotH) }
	for t := 0.0; t <= yMax+yStep/2; t += yStep {
		c.YTicks = append(c.YTicks, ytick{Y: y(t), Label: fmt.Sprintf("%.0f/s", t)})
	}

	var line, fail strings.Builder
	anyFailed := false
	for i, p := range ld.Series {
		x0, x1 := ax.x(p.TMS), ax.x(p.TMS+bucket)
		ya, yf := y(float64(p.Acked)*perSecond), y(float64(p.Failed)*perSecond)
		if i == 0 {
			fmt.Fprintf(&line, "M%.1f %.1f", x0, ya)
			fmt.Fprintf(&fail, "M%.1f %.1f", x0, yf)
		} else {
			fmt.Fprintf(&line, " L%.1f %.1f", x0, ya)
			fmt.Fprintf(&fail, " L%.1f %.1f", x0, yf)
		}
		fmt.Fprintf(&line, " L%.1f %.1f", x1, ya)
		fmt.Fprintf(&fail, " L%.1f %.1f", x1, yf)
		anyFailed = anyFailed || p.Failed > 0
	}
	if len(ld.Series) > 0 {
		c.AckLine = line.String()
		first, last := ax.x(ld.Series[0].TMS), ax.x(ld.Series[len(ld.Series)-1].TMS+bucket)
		c.AckArea = fmt.Sprintf("M%.1f %.1f %s L%.1f %.1f Z", first, c.PlotY1, strings.TrimPrefix(c.AckLine, "M"), last, c.PlotY1)
	}
	c.Legend = []legendItem{{Cat: "acked", Label: c.YTitle}}
	if anyFailed {
		c.FailLine = fail.String()
		c.Legend = append(c.Legend, legendItem{Cat: "failed", Label: c.FailName})
	}

	if ld.OutageEndMS > ld.OutageStartMS {
		x0, x1 := ax.x(ld.OutageStartMS), ax.x(ld.OutageEndMS)
		b := &band{X: x0, W: round1(x1 - x0), Y: c.PlotY0, H: plotH,
			Label: tr(lang, "outageBand", seconds(ld.OutageMS)) + fmt.Sprintf(" (%+d … %+d ms)", ld.OutageStartMS, ld.OutageEndMS)}
		b.LabelX, b.LabelY, b.Anchor = round1((x0+x1)/2), c.PlotY0-5, "middle"
		if w := textWidth(b.Label, 12); b.LabelX+w/2 > chartW-4 {
			b.LabelX, b.Anchor = x1, "end"
		} else if b.LabelX-w/2 < chartX0 {
			b.LabelX, b.Anchor = x0, "start"
		}
		w := textWidth(b.Label, 12) * 1.08 // bold
		switch b.Anchor {
		case "middle":
			b.BgX, b.BgW = round1(b.LabelX-w/2-2), round1(w+4)
		default:
			b.BgX, b.BgW = labelBg(b.LabelX, w, b.Anchor)
		}
		c.Outage = b
	}
	c.Height = c.PlotY1 + 44
	return c
}

// niceScale rounds top up to 1, 2 or 5 times a power of ten, in about
// four steps.
func niceScale(top float64) (yMax, step float64) {
	if top <= 0 {
		return 1, 1
	}
	raw := top / 4
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if step = m * p; step >= raw {
			break
		}
	}
	return math.Ceil(top/step) * step, step
}
