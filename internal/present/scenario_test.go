package present

import (
	"bytes"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/scenario"
)

// Every scenario and every check has its words in both languages, with
// as many verbs as the check gives arguments.
func TestEveryScenarioAndCheckHasItsWords(t *testing.T) {
	for _, e := range Catalogue(Chinese) {
		if e.Summary == "" || e.Expect == "" || e.Summary == Catalogue(English)[0].Summary {
			t.Errorf("%s: %+v", e.Name, e)
		}
	}
	for k, v := range scenarioTexts {
		if strings.HasPrefix(k, "check ") && strings.Count(v.en, "%") != strings.Count(v.zh, "%") {
			t.Errorf("%s: %d verbs in English, %d in Chinese", k, strings.Count(v.en, "%"), strings.Count(v.zh, "%"))
		}
	}
	for _, sc := range scenario.Catalogue() {
		for _, c := range sc.Checks {
			key := c(&scenario.Observation{}).Key
			for _, part := range []string{"ok", "fail"} {
				if _, ok := texts["check "+key+" "+part]; !ok {
					t.Errorf("%s: no text for check %s %s", sc.Name, key, part)
				}
			}
		}
	}
}

func sampleResult(t *testing.T, pass bool) *scenario.Result {
	t.Helper()
	r := &scenario.Result{Name: "master-crash", Verdict: scenario.Pass, Lab: "scn-master-crash-ab12", DownAfterMS: 1000, FailoverTimeoutMS: 3000,
		Reasons: []scenario.Finding{
			{Key: "stepsDone", OK: true, Args: []string{"kill master"}},
			{Key: "failedOver", OK: pass, Args: []string{"master", "node-1", "+2.300s", "1"}},
		},
		Timeline: []scenario.Entry{
			{AtMS: 0, Source: scenario.SourceLab, What: "kill", Detail: "master"},
			{AtMS: 1100, Source: "sentinel-2", What: "+sdown", Detail: "master redis-master 172.30.0.10 6379"},
		},
		Report: fixture(t, "seed"),
	}
	if !pass {
		r.Verdict = scenario.Fail
		r.Reasons[1].Args = []string{"only 1 of 3 sentinels answer"}
	}
	return r
}

func TestScenarioTextSaysTheVerdictAndWhy(t *testing.T) {
	r := sampleResult(t, false)
	AnnotateScenario(r, English)
	var b bytes.Buffer
	WriteScenario(&b, r, English)
	out := b.String()
	for _, want := range []string{
		"Scenario master-crash: FAIL", "Expected: the sentinels fail over", "Observed: no failover: only 1 of 3 sentinels answer",
		"ok    done: kill master", "FAIL  no failover: only 1 of 3", "+0.000s  sentinel-lab", "+1.100s  sentinel-2",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	r = sampleResult(t, true)
	AnnotateScenario(r, Chinese)
	b.Reset()
	WriteScenario(&b, r, Chinese)
	if out := b.String(); !strings.Contains(out, "场景 master-crash: 通过") || !strings.Contains(out, "从 master 故障迁移到 node-1") {
		t.Errorf("zh:\n%s", out)
	}
}

func TestScenarioPage(t *testing.T) {
	r := sampleResult(t, true)
	AnnotateScenario(r, English)
	var b bytes.Buffer
	if err := WriteScenarioHTML(&b, r, English); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{`<span class="verdict pass">PASS</span>`, "✓ failed over from master to node-1", `<section id="topology">`, `<section id="timeline">`} {
		if !strings.Contains(page, want) {
			t.Errorf("page has no %q", want)
		}
	}
	// What the sentinels did when no failover came: no new master drawn.
	nf := &failover.NoFailoverError{Events: r.Report.Events, OldMaster: r.Report.OldMaster, FaultAt: r.Report.FaultAt, Names: r.Report.Names()}
	r.Report = &failover.Report{}
	*r.Report = *fixture(t, "seed")
	r.Report.NewMaster, r.Report.Events = failover.NodeRef{}, nf.Events
	b.Reset()
	if err := WriteScenarioHTML(&b, r, Chinese); err != nil {
		t.Fatal(err)
	}
	if page := b.String(); strings.Contains(page, `<section id="topology">`) || !strings.Contains(page, `<section id="events">`) {
		t.Errorf("a page without a failover draws the topology, or has no events")
	}
	r.Report = nil
	if err := WriteScenarioHTML(&b, r, English); err == nil || !strings.Contains(err.Error(), "no timeline to draw") {
		t.Errorf("a run without a report: %v", err)
	}
}

func TestCatalogueText(t *testing.T) {
	var b bytes.Buffer
	WriteCatalogue(&b, English)
	if lines := strings.Count(b.String(), "\n"); lines != 2*len(scenario.Catalogue()) || !strings.Contains(b.String(), "leader-crash-after-promotion") {
		t.Errorf("catalogue:\n%s", b.String())
	}
}
