package e2e

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// kill-master --report writes one HTML page of the real failover: a
// swimlane per sentinel with the events the sentinels published, and
// `report` renders the same failover again, in Chinese, from what the lab
// kept.
func TestFailoverReport(t *testing.T) {
	l := newLab(t)
	l.up()
	page := l.path("failover.html")
	r := l.killMaster("--report", page)

	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatalf("kill-master --report wrote no file: %v", err)
	}
	html := string(b)
	if !strings.Contains(html, `<svg class="timeline"`) {
		t.Fatal("no timeline <svg> in the report")
	}
	lanes := regexp.MustCompile(`<g class="lane( leader)?" data-sentinel="(sentinel-\d+)"`).FindAllStringSubmatch(html, -1)
	if len(lanes) != 3 {
		t.Errorf("%d swimlanes, want one per sentinel (3): %v", len(lanes), lanes)
	} else if lanes[0][1] == "" || lanes[0][2] != r.Leader {
		t.Errorf("the first lane is %s (leader %q), want the leader %s, highlighted", lanes[0][2], lanes[0][1], r.Leader)
	}
	for _, typ := range []string{"+sdown", "+odown", "+elected-leader", "+promoted-slave", "+switch-master"} {
		if !strings.Contains(html, `data-type="`+typ+`"`) {
			t.Errorf("no %s mark in the timeline", typ)
		}
	}
	for _, s := range []string{r.OldMaster.Service, r.NewMaster.Service} {
		if !strings.Contains(html, `data-service="`+s+`"`) {
			t.Errorf("the topology does not show %s", s)
		}
	}
	for _, ref := range []string{"http://", "https://", "src=", "url("} {
		if strings.Contains(html, ref) {
			t.Errorf("the report refers to something outside the file: %q", ref)
		}
	}

	zh := l.path("failover.zh.html")
	l.must("report", "-f", zh, "--lang", "zh")
	b, err = os.ReadFile(zh)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"哨兵事件时间线", "客观下线", "切换主节点"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the zh report lacks %q", want)
		}
	}
}
