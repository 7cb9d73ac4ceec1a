package present

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/load"
	"github.com/sentinel-lab/sentinel-lab/internal/timers"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fixture reads a saved report from testdata, as `sentinel-lab report`
// reads last-failover.json: the seed document's failover, retimed from a
// fault at 04:58:04.650 with down-after 3000 ms.
func fixture(t *testing.T, name string) *failover.Report {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var r failover.Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

func renderHTML(t *testing.T, r *failover.Report, lang Lang) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHTML(&b, r, lang); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// The whole page is compared with a golden file; `go test ./internal/report
// -update` rewrites them, and the diff is the review.
func TestGolden(t *testing.T) {
	for _, c := range []struct {
		fixture string
		lang    Lang
	}{
		{"seed", English},
		{"seed", Chinese},
		{"seed-load", English},
	} {
		t.Run(c.fixture+"."+string(c.lang), func(t *testing.T) {
			got := renderHTML(t, fixture(t, c.fixture), c.lang)
			golden := filepath.Join("testdata", c.fixture+"."+string(c.lang)+".html")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/report -update)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from the rendering; if the change is intended, run go test ./internal/report -update and review the diff\n%s",
					golden, firstDiff(string(want), got))
			}
		})
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n want: " + w + "\n  got: " + g
		}
	}
	return ""
}

var (
	svgAxis = regexp.MustCompile(`<svg class="timeline"[^>]* data-start-ms="(-?\d+)" data-end-ms="(\d+)" data-x0="([\d.]+)" data-x1="([\d.]+)"`)
	laneRe  = regexp.MustCompile(`<g class="marks( leader)?" data-sentinel="([^"]+)">`)
	markRe  = regexp.MustCompile(`<g class="ev cat-\w+" data-at-ms="(-?\d+)" data-type="([^"]+)"><circle cx="([\d.]+)"`)
)

// Every event is a mark at the x of its at_ms on the shared axis, the
// lanes' marks are in time order, and the leader's lane comes first.
func TestTimelinePlacesEventsInTime(t *testing.T) {
	r := fixture(t, "seed")
	out := renderHTML(t, r, English)
	m := svgAxis.FindStringSubmatch(out)
	if m == nil {
		t.Fatal("no timeline <svg> with its axis")
	}
	start, _ := strconv.ParseFloat(m[1], 64)
	end, _ := strconv.ParseFloat(m[2], 64)
	x0, _ := strconv.ParseFloat(m[3], 64)
	x1, _ := strconv.ParseFloat(m[4], 64)
	if start != 0 || end < float64(r.ConvergedMS) {
		t.Errorf("axis from %v to %v ms; want it to start at the fault (0) and reach converged_ms %d", start, end, r.ConvergedMS)
	}

	lanes := laneRe.FindAllStringSubmatchIndex(out, -1)
	if len(lanes) != 3 {
		t.Fatalf("%d lanes, want one per sentinel (3)", len(lanes))
	}
	if name := out[lanes[0][4]:lanes[0][5]]; name != r.Leader || lanes[0][2] < 0 {
		t.Errorf("first lane is %q, want the leader %s, highlighted", name, r.Leader)
	}
	wantPerLane := map[string]int{}
	for _, e := range r.Events {
		if e.AtMS >= 0 && Interesting(e.Type) {
			wantPerLane[e.Sentinel]++
		}
	}
	for i, lane := range lanes {
		sentinel := out[lane[4]:lane[5]]
		stop := len(out)
		if i+1 < len(lanes) {
			stop = lanes[i+1][0]
		}
		marks := markRe.FindAllStringSubmatch(out[lane[1]:stop], -1)
		if len(marks) != wantPerLane[sentinel] {
			t.Errorf("%s: %d marks, want %d", sentinel, len(marks), wantPerLane[sentinel])
		}
		prevAt, prevX := -1.0, -1.0
		for _, mk := range marks {
			at, _ := strconv.ParseFloat(mk[1], 64)
			x, _ := strconv.ParseFloat(mk[3], 64)
			want := x0 + (at-start)/(end-start)*(x1-x0)
			if d := x - want; d > 0.06 || d < -0.06 {
				t.Errorf("%s %s at %v ms is at x %v, want %.1f", sentinel, mk[2], at, x, want)
			}
			if at < prevAt || x < prevX {
				t.Errorf("%s: %s at %v ms (x %v) comes after %v ms (x %v)", sentinel, mk[2], at, x, prevAt, prevX)
			}
			prevAt, prevX = at, x
		}
	}
}

// Labels of one lane never overlap: the layout stacks them in rows.
func TestTimelineLabelsDoNotOverlap(t *testing.T) {
	r := fixture(t, "seed")
	v, err := build(r, English)
	if err != nil {
		t.Fatal(err)
	}
	for _, lane := range v.Timeline.Lanes {
		for i, a := range lane.Marks {
			for _, b := range lane.Marks[i+1:] {
				if a.LabelY != b.LabelY {
					continue
				}
				sa, sb := labelBox(a), labelBox(b)
				if sa.from < sb.to && sb.from < sa.to {
					t.Errorf("%s: labels %s and %s overlap on the row at y %v", lane.Sentinel, a.Type, b.Type, a.LabelY)
				}
			}
		}
	}
}

func labelBox(m markView) span {
	w := textWidth(m.Type, 11)
	if m.Anchor == "end" {
		return span{m.LabelX - w, m.LabelX}
	}
	return span{m.LabelX, m.LabelX + w}
}

// --lang zh: the page's headings and the events' explanations are Chinese,
// even though the saved report was explained in English.
func TestChinese(t *testing.T) {
	r := fixture(t, "seed-load")
	out := renderHTML(t, r, Chinese)
	for _, want := range []string{
		`<html lang="zh-Hans">`,
		"<h2>概要</h2>", "<h2>故障迁移前后的拓扑</h2>", "<h2>各阶段耗时</h2>", "<h2>哨兵事件时间线</h2>",
		"<h2>带注释的哨兵事件</h2>", "<h2>从节点如何同步</h2>", "<h2>故障迁移期间的客户端写入</h2>",
		"领头哨兵", "部分同步",
		"客观下线：主节点 master，2/2 个哨兵同意", "投票给 sentinel-1 作为纪元 1 的领头哨兵",
		"切换主节点：master -&gt; node-1", "从领头哨兵 sentinel-1 同步新配置",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the zh report lacks %q", want)
		}
	}
	for _, english := range []string{"is objectively down", "votes for sentinel-1", "<h2>Summary</h2>"} {
		if strings.Contains(out, english) {
			t.Errorf("the zh report still says %q", english)
		}
	}
}

// Every string of the page exists in both languages.
func TestEveryTextInBothLanguages(t *testing.T) {
	for k, v := range texts {
		if v.en == "" || v.zh == "" {
			t.Errorf("text %q: en %q zh %q", k, v.en, v.zh)
		}
		if strings.Count(v.en, "%") != strings.Count(v.zh, "%") {
			t.Errorf("text %q: the languages take different arguments: %q, %q", k, v.en, v.zh)
		}
	}
}

// The page must open with no network: nothing it refers to lives outside
// the file.
func TestNoExternalReferences(t *testing.T) {
	for _, name := range []string{"seed", "seed-load"} {
		for _, lang := range []Lang{English, Chinese} {
			out := renderHTML(t, fixture(t, name), lang)
			for _, ref := range []string{"http://", "https://", "src=", "url(", "@import", "href=", "<script", "<link", "//fonts"} {
				if strings.Contains(out, ref) {
					i := strings.Index(out, ref)
					t.Errorf("%s.%s has an external reference %q: ...%s...", name, lang, ref, out[max(0, i-60):min(len(out), i+60)])
				}
			}
			if !strings.Contains(out, `content="default-src 'none'; style-src 'unsafe-inline'"`) {
				t.Errorf("%s.%s: no Content-Security-Policy forbidding fetches", name, lang)
			}
		}
	}
}

// The load chart shades the outage on the same time axis as the timeline.
func TestLoadChart(t *testing.T) {
	r := fixture(t, "seed-load")
	v, err := build(r, English)
	if err != nil {
		t.Fatal(err)
	}
	if v.Load == nil || v.Load.Chart.Outage == nil {
		t.Fatal("no load chart with an outage band")
	}
	ld := r.Load
	ax := v.Timeline.Axis
	o := v.Load.Chart.Outage
	if o.X != ax.x(ld.OutageStartMS) || o.X+o.W-ax.x(ld.OutageEndMS) > 0.11 {
		t.Errorf("outage band x %v..%v, want %v..%v", o.X, o.X+o.W, ax.x(ld.OutageStartMS), ax.x(ld.OutageEndMS))
	}
	if ax.StartMS > ld.Series[0].TMS {
		t.Errorf("the axis starts at %d ms, after the first client write at %d ms", ax.StartMS, ld.Series[0].TMS)
	}
	if !v.Load.Lost || !strings.Contains(v.Load.LostText, "2 acknowledged writes were lost (sequence 4-5)") {
		t.Errorf("lost writes not shown: %q", v.Load.LostText)
	}

	// Right after kill-master, Load is a *load.Result, not a JSON object:
	// the page is the same.
	var res load.Result
	b, _ := json.Marshal(r.Load)
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	live := *r
	live.Load = &res
	if renderHTML(t, &live, English) != renderHTML(t, r, English) {
		t.Error("a live *load.Result renders differently from the saved JSON")
	}
}

// A report saved before the names were kept still renders, with the
// explanations it was saved with.
func TestOldReportWithoutNames(t *testing.T) {
	r := fixture(t, "seed")
	r.Nodes, r.Sentinels = nil, nil
	out := renderHTML(t, r, Chinese)
	if !strings.Contains(out, "the master (master) is objectively down") {
		t.Error("the saved explanations are not shown when the report has no names")
	}
	if !strings.Contains(out, `data-service="node-2"`) {
		t.Error("the topology lost node-2, which the resyncs name")
	}
}

func TestAxis(t *testing.T) {
	a := axis{StartMS: -200, EndMS: 1800, X0: 100, X1: 1100}
	for ms, want := range map[int64]float64{-200: 100, 0: 200, 1800: 1100, 800: 600} {
		if got := a.x(ms); got != want {
			t.Errorf("x(%d) = %v, want %v", ms, got, want)
		}
	}
	r := &failover.Report{DownAfterMS: 1000, Phases: failover.Phases{ConvergedMS: 2100}}
	ax := newAxis(r, nil, nil, 2100)
	if ax.StartMS != 0 || ax.EndMS < 2100 || ax.EndMS > 2600 || (ax.EndMS-ax.StartMS)%ax.StepMS != 0 {
		t.Errorf("axis for a 2.1 s failover: %+v", ax)
	}
}

// The page names the server the lab ran; a report saved before the server
// was recorded says nothing of it.
func TestServerShown(t *testing.T) {
	r := fixture(t, "seed")
	if out := renderHTML(t, r, English); strings.Contains(out, "Server:") {
		t.Error("a report without a server names one")
	}
	r.Server = "Valkey 8.0.1"
	if out := renderHTML(t, r, English); !strings.Contains(out, `<p class="sub">Server: Valkey 8.0.1 (INFO of the new master)</p>`) {
		t.Error("the en report does not name the server")
	}
	if out := renderHTML(t, r, Chinese); !strings.Contains(out, `<p class="sub">服务端：Valkey 8.0.1（新主节点 INFO 所报告）</p>`) {
		t.Error("the zh report does not name the server")
	}
}

// The page says which timers the lab ran; a report saved before they were
// recorded says nothing of them.
func TestTimersShown(t *testing.T) {
	r := fixture(t, "seed")
	if out := renderHTML(t, r, English); strings.Contains(out, "SENTINEL DEBUG") {
		t.Error("a report without timers names some")
	}
	r.Timers = timers.Fast
	if out := renderHTML(t, r, English); !strings.Contains(out, "ping-period 300 ms") || !strings.Contains(out, "set with SENTINEL DEBUG") {
		t.Error("the en report does not say the lab ran fast timers")
	}
	if out := renderHTML(t, r, Chinese); !strings.Contains(out, "用 SENTINEL DEBUG 设置") {
		t.Error("the zh report does not say the lab ran fast timers")
	}
	var text bytes.Buffer
	WriteFailover(&text, r, English)
	if !strings.Contains(text.String(), "\nTimers: fast (") {
		t.Errorf("the text report does not name the timers:\n%s", text.String())
	}
}
