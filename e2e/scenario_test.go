package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/scenario"
)

// Every scenario of the catalogue passes, each on a lab of its own that is
// gone afterwards. Timing goals are not asserted; the log says how long
// each took.
func TestScenarioCatalogue(t *testing.T) {
	eng := requireDocker(t)
	dir := t.TempDir() // no lab here: each scenario makes its own
	for _, sc := range scenario.Catalogue() {
		t.Run(sc.Name, func(t *testing.T) {
			r := runIn(dir, "scenario", "run", sc.Name, "-o", "json")
			var res scenario.Result
			if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
				t.Fatalf("scenario run -o json: %v\nstdout:\n%s\nstderr:\n%s", err, r.stdout, r.stderr)
			}
			t.Logf("%s: %s in %.1fs", sc.Name, res.Verdict, float64(res.TookMS)/1000)
			if r.code != 0 || res.Verdict != scenario.Pass {
				text := runText(res)
				t.Fatalf("exit %d, verdict %s: %s\n%s\nstderr:\n%s", r.code, res.Verdict, res.Observed, text, r.stderr)
			}
			if !res.OwnLab || res.Expected == "" || len(res.Timeline) == 0 {
				t.Errorf("result: own lab %v, expected %q, %d timeline entries", res.OwnLab, res.Expected, len(res.Timeline))
			}
			assertLabGone(t, eng, res.Lab)
		})
	}
}

// runText shows a failed result's checks and timeline in the test log.
func runText(res scenario.Result) string {
	var b strings.Builder
	for _, f := range res.Reasons {
		b.WriteString("  ")
		if !f.OK {
			b.WriteString("FAIL ")
		}
		b.WriteString(f.Text + "\n")
	}
	for _, e := range res.Timeline {
		b.WriteString("  " + time.Duration(e.AtMS*int64(time.Millisecond)).String() + " " + e.Source + " " + e.What + " " + e.Detail + "\n")
	}
	return b.String()
}

func assertLabGone(t *testing.T, eng engine.Engine, name string) {
	t.Helper()
	if name == "" {
		t.Error("the result names no lab")
		return
	}
	ctx := context.Background()
	for _, labels := range []map[string]string{{engine.LabelProject: name}, {engine.LabelHelper: name}} {
		if list, err := eng.Containers(ctx, labels); err != nil || len(list) > 0 {
			t.Errorf("%d containers of %s left (%v)", len(list), name, err)
		}
	}
	matches, _ := filepath.Glob(filepath.Join(os.TempDir(), "sentinel-lab-*", name))
	if len(matches) > 0 {
		t.Errorf("the scenario's lab folder is left: %v", matches)
	}
}

// A scenario on the lab running in --dir runs there, writes its page in
// Chinese, and leaves the lab healthy; a scenario soak gives a verdict
// per round.
func TestScenarioOnTheLabInDirAndSoak(t *testing.T) {
	l := newLab(t)
	l.up()
	page := filepath.Join(t.TempDir(), "manual.html")
	r := l.must("scenario", "run", "manual-failover", "--report", page, "--lang", "zh")
	if !strings.Contains(r.stdout, "场景 manual-failover: 通过") {
		t.Errorf("scenario run:\n%s", r.stdout)
	}
	b, err := os.ReadFile(page)
	if err != nil || !strings.Contains(string(b), `<span class="verdict pass">通过</span>`) || !strings.Contains(string(b), "+switch-master") {
		t.Errorf("the page (%v) has no verdict or no events", err)
	}
	st := l.status()
	if !st.Healthy || len(st.Faults) != 0 {
		t.Errorf("the lab after the scenario: %s", describe(st))
	}

	r = l.must("soak", "--scenario", "manual-failover", "--rounds", "2")
	if !strings.Contains(r.stdout, "Soak of scenario manual-failover: 2 of 2 rounds passed.") || !strings.Contains(r.stderr, "round 2/2: manual-failover pass") {
		t.Errorf("soak --scenario:\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
}
