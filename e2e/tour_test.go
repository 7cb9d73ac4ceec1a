package e2e

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/tour"
)

// tourOf runs `tour -o json` and reads it.
func (l *Lab) tourOf(args ...string) tour.Tour {
	l.t.Helper()
	r := l.must(append(append([]string{"tour", "-o", "json"}, l.Flags...), args...)...)
	var t tour.Tour
	if err := json.Unmarshal([]byte(r.stdout), &t); err != nil {
		l.t.Fatalf("tour -o json: %v\n%s", err, r.stdout)
	}
	return t
}

// The tour on a real lab it starts itself: every section of the seed, in
// the seed's order, with live values, a full resync in both logs, and a
// partial resync whose PSYNC offset is where the new master's backlog
// starts and whose replication ID the new master keeps as master_replid2.
func TestTourShowsEverySectionLive(t *testing.T) {
	l := newLab(t)
	l.Flags = append(withoutPorts(l.Flags), "--port", "auto")
	tr := l.tourOf()
	checkTour(t, tr, "master")
	st := l.status()
	if !st.Healthy {
		t.Errorf("the lab is not healthy after the tour:\n%s", describe(st))
	}
}

// checkTour checks a tour's JSON against what the seed shows; word is how
// the server's log names the node a replica follows.
func checkTour(t *testing.T, tr tour.Tour, word string) {
	t.Helper()
	if tr.Server == "" {
		t.Error("the tour names no server")
	}
	var ids []string
	byID := map[string]*tour.Section{}
	for _, sec := range tr.Sections {
		ids = append(ids, sec.ID)
		byID[sec.ID] = sec
		checkSectionLive(t, sec)
	}
	if strings.Join(ids, " ") != strings.Join(tour.IDs, " ") {
		t.Fatalf("sections %v, want %v", ids, tour.IDs)
	}
	checkFullSync(t, byID[tour.FullSync], word)
	checkPartialSync(t, byID[tour.PartialSync])
	checkSentinelLines(t, byID[tour.Follower], "+vote-for-leader", "Next failover delay")
	checkSentinelLines(t, byID[tour.Leader], "+elected-leader", " voted for ", "+promoted-slave")
}

// checkSectionLive: a title, live values, and a meaning for every field
// and line.
func checkSectionLive(t *testing.T, sec *tour.Section) {
	t.Helper()
	if sec.Title == "" || len(sec.Fields) == 0 {
		t.Errorf("%s: title %q, %d fields", sec.ID, sec.Title, len(sec.Fields))
	}
	for _, f := range sec.Fields {
		if f.Value == "" || f.Meaning == "" {
			t.Errorf("%s: field %s of %s: value %q, meaning %q", sec.ID, f.Name, f.Node, f.Value, f.Meaning)
		}
	}
	for _, l := range sec.Lines {
		if l.Meaning == "" {
			t.Errorf("%s: %s's line is not explained: %q", sec.ID, l.Node, l.Line)
		}
	}
	if (sec.ID == tour.SyncSteps || sec.ID == tour.FailoverSteps) && len(sec.Steps) < 6 {
		t.Errorf("%s: %d steps", sec.ID, len(sec.Steps))
	}
}

// linesOf are the section's lines of node.
func linesOf(sec *tour.Section, node string) string {
	var b strings.Builder
	for _, l := range sec.Lines {
		if l.Node == node {
			b.WriteString(l.Line + "\n")
		}
	}
	return b.String()
}

func valueOf(sec *tour.Section, node, name string) string {
	for _, f := range sec.Fields {
		if f.Node == node && f.Name == name {
			return f.Value
		}
	}
	return ""
}

// checkFullSync: the replica's and the master's lines of one full resync.
func checkFullSync(t *testing.T, sec *tour.Section, word string) {
	t.Helper()
	if sec.Did == nil {
		t.Fatal("full-sync: the tour says nothing of what it did")
	}
	replica, master := linesOf(sec, sec.Did.Node), linesOf(sec, sec.Did.Target)
	full := regexp.MustCompile(`Full resync from ` + word + `: (\w+):\d+`).FindStringSubmatch(replica)
	if full == nil || !strings.Contains(master, "Synchronization with replica") || !strings.Contains(master, "Starting BGSAVE for SYNC") {
		t.Fatalf("full-sync: want the replica's %q and the master's BGSAVE and success lines\nreplica:\n%s\nmaster:\n%s", "Full resync from "+word, replica, master)
	}
	if id := valueOf(sec, sec.Did.Target, "master_replid"); id != full[1] {
		t.Errorf("full-sync: the replica was sent history %s, the master's master_replid is %s", full[1], id)
	}
}

var (
	psyncLine   = regexp.MustCompile(`Trying a partial resynchronization \(request (\w+):(\d+)\)`)
	backlogLine = regexp.MustCompile(`Partial resynchronization request from \S+ accepted\. Sending (\d+) bytes of backlog starting from offset (\d+)`)
)

// checkPartialSync: the follower's PSYNC offset is where the new master's
// backlog starts, within its second_repl_offset, and the replication ID
// asked for is the new master's master_replid2.
func checkPartialSync(t *testing.T, sec *tour.Section) {
	t.Helper()
	var p, b []string
	var follower, newMaster string
	for _, l := range sec.Lines {
		if m := psyncLine.FindStringSubmatch(l.Line); m != nil && p == nil {
			p, follower = m, l.Node
		}
		if m := backlogLine.FindStringSubmatch(l.Line); m != nil && b == nil {
			b, newMaster = m, l.Node
		}
	}
	if p == nil || b == nil {
		t.Fatalf("partial-sync: want a PSYNC line and an accepted line, got:\n%s", linesText(sec))
	}
	if p[2] != b[2] {
		t.Errorf("partial-sync: %s asked from offset %s, %s sent its backlog from %s", follower, p[2], newMaster, b[2])
	}
	if id2 := valueOf(sec, newMaster, "master_replid2"); id2 != p[1] {
		t.Errorf("partial-sync: %s asked for history %s, %s's master_replid2 is %s", follower, p[1], newMaster, id2)
	}
	second, _ := strconv.Atoi(valueOf(sec, newMaster, "second_repl_offset"))
	if off, _ := strconv.Atoi(p[2]); off > second || off <= 0 {
		t.Errorf("partial-sync: offset %d beyond second_repl_offset %d", off, second)
	}
	if valueOf(sec, follower, "psync_offset") != p[2] || valueOf(sec, newMaster, "backlog_bytes") != b[1] {
		t.Errorf("partial-sync: the fields do not carry the lines' values: %+v", sec.Fields)
	}
}

// checkSentinelLines: the sentinels' lines hold each of wants.
func checkSentinelLines(t *testing.T, sec *tour.Section, wants ...string) {
	t.Helper()
	text := linesText(sec)
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s: no line with %q:\n%s", sec.ID, w, text)
		}
	}
}

func linesText(sec *tour.Section) string {
	var b strings.Builder
	for _, l := range sec.Lines {
		b.WriteString(l.Node + " | " + l.Line + "\n")
	}
	return b.String()
}
