package present

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/sentinel-lab/sentinel-lab/internal/tour"
)

// tourNotes say what the tour did for a section and how its values tie
// together, checked on the values rather than assumed.
func tourNotes(sec *tour.Section, lang Lang) []string {
	var out []string
	switch sec.ID {
	case tour.FullSync:
		if d := sec.Did; d != nil {
			out = append(out, tr(lang, "tour did resync", d.Node, d.Target, d.TookMS, d.Node, d.Target, d.Node))
			id, _ := field(sec, d.Node, "full_resync_replid")
			if mid, ok := field(sec, d.Target, "master_replid"); ok && id == mid {
				out = append(out, tr(lang, "tour tie full", d.Target))
			}
		}
	case tour.PartialSync:
		out = append(out, partialTies(sec, lang)...)
	case tour.FailoverSteps:
		if d := sec.Did; d != nil {
			out = append(out, tr(lang, "tour did failover", d.Node, d.Target, d.Node, d.Target, d.TookMS))
		}
	}
	return out
}

// partialTies tie the follower's PSYNC to the new master's log and INFO.
func partialTies(sec *tour.Section, lang Lang) []string {
	fol, nm := fieldNode(sec, "psync_offset"), fieldNode(sec, "backlog_offset")
	if fol == "" || nm == "" {
		return []string{tr(lang, "tour none partial")}
	}
	var out []string
	replid, _ := field(sec, fol, "psync_replid")
	if id2, _ := field(sec, nm, "master_replid2"); id2 == replid {
		out = append(out, tr(lang, "tour tie replid", fol, replid, nm))
	} else {
		out = append(out, tr(lang, "tour tie replid differs", fol, replid, nm, id2))
	}
	off, _ := field(sec, fol, "psync_offset")
	from, _ := field(sec, nm, "backlog_offset")
	if second, _ := field(sec, nm, "second_repl_offset"); off == from {
		out = append(out, tr(lang, "tour tie offset", off, nm, second))
	} else {
		out = append(out, tr(lang, "tour tie offset differs", off, from))
	}
	so, ok1 := field(sec, fol, "slave_repl_offset")
	mo, ok2 := field(sec, nm, "master_repl_offset")
	if ok1 && ok2 {
		out = append(out, tr(lang, "tour tie caught up", fol, so, nm, mo))
	}
	return out
}

// WriteTourHeader starts the tour's text.
func WriteTourHeader(w io.Writer, labName string, lang Lang) {
	fmt.Fprintln(w, tr(lang, "tour heading", labName))
	fmt.Fprintln(w, tr(lang, "tour plan"))
}

// WriteTourSection prints one section: its title, intro and steps, the
// fields as a table, then each log line with its meaning under it, the way
// the seed annotates its logs.
func WriteTourSection(w io.Writer, n int, sec *tour.Section, lang Lang) {
	fmt.Fprintf(w, "\n== %d. %s [%s] ==\n", n, sec.Title, sec.ID)
	if sec.Intro != "" {
		fmt.Fprintln(w, sec.Intro)
	}
	for i, s := range sec.Steps {
		fmt.Fprintf(w, "  %d. %s\n", i+1, s)
	}
	if len(sec.Fields) > 0 {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, f := range sec.Fields {
			fmt.Fprintf(tw, "  %s\t%s:%s\t%s\n", f.Node, f.Name, f.Value, f.Meaning)
		}
		tw.Flush()
	}
	writeTourLines(w, sec.Lines)
	for _, note := range sec.Notes {
		fmt.Fprintf(w, "\n%s\n", note)
	}
}

// writeTourLines prints log lines grouped by node as they come, each
// followed by what it means.
func writeTourLines(w io.Writer, lines []tour.LogLine) {
	width := 0
	for _, l := range lines {
		width = max(width, len(l.Node))
	}
	last := ""
	for _, l := range lines {
		if l.Node != last && (l.Role == tour.Follower || l.Role == tour.Leader) {
			fmt.Fprintf(w, "\n%s (%s)\n", l.Node, l.Role)
		} else if last == "" {
			fmt.Fprintln(w)
		}
		last = l.Node
		fmt.Fprintf(w, "  %-*s | %s\n", width, l.Node, clip(l.Line))
		if l.Meaning != "" {
			fmt.Fprintf(w, "  %-*s   # %s\n", width, "", l.Meaning)
		}
	}
}

// WriteTourEnd says what to do next.
func WriteTourEnd(w io.Writer, lang Lang) {
	fmt.Fprintf(w, "\n%s\n", tr(lang, "tour next"))
}

// TourPause is what --step shows between sections.
func TourPause(lang Lang) string { return tr(lang, "tour pause") }

// clip shortens a line for the terminal: the client list a REPLICAOF line
// carries says nothing the tour explains (JSON keeps the whole line).
func clip(s string) string {
	const most = 180
	if r := []rune(s); len(r) > most {
		return string(r[:most]) + "..."
	}
	return s
}
