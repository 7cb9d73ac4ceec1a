package present

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/nodelog"
	"github.com/sentinel-lab/sentinel-lab/internal/tour"
)

// recordedTour reads a tour recorded on a real lab (tour -o json) and
// drops every text present adds, so the test says them again.
func recordedTour(t *testing.T, path string) *tour.Tour {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var tr tour.Tour
	if err := json.Unmarshal(b, &tr); err != nil {
		t.Fatal(err)
	}
	for _, sec := range tr.Sections {
		sec.Title, sec.Intro, sec.Steps, sec.Notes = "", "", nil, nil
		for i := range sec.Fields {
			sec.Fields[i].Meaning = ""
		}
		for i := range sec.Lines {
			sec.Lines[i].Meaning = ""
		}
	}
	return &tr
}

// The text and the JSON of recorded tours, in both languages, against
// golden files (go test ./internal/present -update rewrites them).
func TestTourGolden(t *testing.T) {
	recorded, _ := filepath.Glob("testdata/tour/*.json")
	if len(recorded) == 0 {
		t.Fatal("no recorded tour in testdata/tour")
	}
	for _, path := range recorded {
		for _, lang := range []Lang{English, Chinese} {
			name := strings.TrimSuffix(filepath.Base(path), ".json") + "." + string(lang)
			t.Run(name, func(t *testing.T) {
				tr := recordedTour(t, path)
				var text bytes.Buffer
				WriteTourHeader(&text, tr.Lab, lang)
				for i, sec := range tr.Sections {
					AnnotateSection(sec, tr.Names(), lang)
					WriteTourSection(&text, i+1, sec, lang)
				}
				WriteTourEnd(&text, lang)
				js, err := json.MarshalIndent(tr, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				golden(t, filepath.Join("testdata", "tour", name+".txt"), text.Bytes())
				golden(t, filepath.Join("testdata", "tour", name+".json.golden"), js)
				checkExplained(t, tr, lang)
			})
		}
	}
}

// checkExplained: every field and line of a recorded tour has a meaning,
// every section a title; the ties of the partial resync hold.
func checkExplained(t *testing.T, recorded *tour.Tour, lang Lang) {
	t.Helper()
	for _, sec := range recorded.Sections {
		if sec.Title == "" {
			t.Errorf("%s has no title", sec.ID)
		}
		for _, f := range sec.Fields {
			if f.Meaning == "" {
				t.Errorf("%s: field %s has no meaning in %s", sec.ID, f.Name, lang)
			}
		}
		for _, l := range sec.Lines {
			if l.Meaning == "" {
				t.Errorf("%s: line not explained in %s: %q", sec.ID, lang, l.Line)
			}
		}
		if sec.ID == tour.PartialSync {
			fol, nm := fieldNode(sec, "psync_offset"), fieldNode(sec, "backlog_offset")
			off, _ := field(sec, fol, "psync_offset")
			second, _ := field(sec, nm, "second_repl_offset")
			replid, _ := field(sec, fol, "psync_replid")
			notes := strings.Join(sec.Notes, "\n")
			for _, want := range []string{tr(lang, "tour tie offset", off, nm, second), tr(lang, "tour tie replid", fol, replid, nm)} {
				if !strings.Contains(notes, want) {
					t.Errorf("partial-sync: the notes do not say %q:\n%s", want, notes)
				}
			}
		}
	}
}

// Every replication line of a real sync, on every server of the matrix
// (nodelog's recorded logs), is explained in both languages, with the
// values it holds.
func TestEveryRealReplicationLineIsExplained(t *testing.T) {
	logs, _ := filepath.Glob("../nodelog/testdata/sync/*.log")
	if len(logs) != 8 {
		t.Fatalf("want the logs of 4 servers x 2 nodes, found %d", len(logs))
	}
	for _, path := range logs {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			r, ok := nodelog.ParseRepl(line)
			if !ok {
				continue
			}
			for _, lang := range []Lang{English, Chinese} {
				m := lineMeaning(tour.LogLine{Node: "node-1", Line: line, Role: "replica"}, tourNames(), lang)
				if m == "" || strings.Contains(m, "%!") {
					t.Errorf("%s: %s line %q explained as %q in %s", filepath.Base(path), r.Kind, line, m, lang)
				}
				for _, a := range r.Args {
					if !strings.Contains(m, a) && r.Kind != nodelog.SyncRDBLoaded {
						t.Errorf("%s: the meaning of %q leaves out %s: %q", filepath.Base(path), line, a, m)
					}
				}
			}
		}
	}
}

func tourNames() failover.Names { return failover.Names{} }

// golden compares got with the file at path, or rewrites it with -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./internal/present -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs; if intended, go test ./internal/present -update and review the diff\ngot:\n%s", path, got)
	}
}

// The failover page of a tour shows its full and partial resync: both
// logs, each line explained, and the offsets.
func TestTourHTMLGolden(t *testing.T) {
	b, err := os.ReadFile("testdata/tour/valkey-8.0.1.failover.json.input")
	if err != nil {
		t.Fatal(err)
	}
	var r failover.Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	tr := recordedTour(t, "testdata/tour/valkey-8.0.1.json")
	if !tr.FaultAt.Equal(r.FaultAt) {
		t.Fatalf("the recorded tour (%s) did not make the recorded failover (%s)", tr.FaultAt, r.FaultAt)
	}
	for _, lang := range []Lang{English, Chinese} {
		var page bytes.Buffer
		if err := WriteHTMLWithSyncs(&page, &r, tr.Syncs(), lang); err != nil {
			t.Fatal(err)
		}
		html := strings.ReplaceAll(page.String(), "&#39;", "'")
		for _, want := range []string{`<section id="full-sync" class="sync">`, `<section id="partial-sync" class="sync">`,
			"Full resync from primary: ", "Trying a partial resynchronization (request cc4ecc431029400e67c7cd25524fc660100ab769:456)",
			"Sending 599 bytes of backlog starting from offset 456", "<code>master_replid2</code>", "<code>second_repl_offset</code>"} {
			if !strings.Contains(html, want) {
				t.Errorf("%s page: no %q", lang, want)
			}
		}
		if lang == Chinese && !strings.Contains(html, "复制积压缓冲区") {
			t.Error("zh page: the seed's term 复制积压缓冲区 is missing")
		}
		if strings.Contains(html, "# </div>") {
			t.Errorf("%s page: a line without its meaning", lang)
		}
		golden(t, filepath.Join("testdata", "tour", "valkey-8.0.1."+string(lang)+".html"), page.Bytes())
	}
	// A report without a tour has no sync section.
	var plain bytes.Buffer
	if err := WriteHTML(&plain, &r, English); err != nil || strings.Contains(plain.String(), `class="sync"`) {
		t.Errorf("a plain report shows sync sections (%v)", err)
	}
}
