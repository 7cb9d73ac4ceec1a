package present

import (
	"fmt"
	"strings"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/nodelog"
	"github.com/sentinel-lab/sentinel-lab/internal/tour"
)

// AnnotateSection fills in what a tour section says in lang: its title,
// intro, steps, notes and the meaning of every field and line. names
// names the nodes sentinel lines mention.
func AnnotateSection(sec *tour.Section, names failover.Names, lang Lang) {
	sec.Title = tr(lang, "tour title "+sec.ID)
	sec.Intro = tourIntro(sec, lang)
	if t, ok := texts["tour steps "+sec.ID]; ok {
		s := t.en
		if lang == Chinese {
			s = t.zh
		}
		sec.Steps = strings.Split(s, "\n")
	}
	for i := range sec.Fields {
		sec.Fields[i].Meaning = fieldMeaning(sec.Fields[i].Name, lang)
	}
	for i := range sec.Lines {
		sec.Lines[i].Meaning = lineMeaning(sec.Lines[i], names, lang)
	}
	sec.Notes = tourNotes(sec, lang)
}

// tourIntro is the section's intro, naming the nodes it shows.
func tourIntro(sec *tour.Section, lang Lang) string {
	key := "tour intro " + sec.ID
	switch sec.ID {
	case tour.InfoMaster, tour.InfoReplica, tour.InfoSentinel:
		return tr(lang, key, firstNode(sec))
	case tour.FullSync:
		if sec.Did != nil {
			return tr(lang, key, sec.Did.Node, sec.Did.Target)
		}
	case tour.PartialSync:
		f, m := fieldNode(sec, "psync_offset"), fieldNode(sec, "backlog_offset")
		if f != "" && m != "" {
			return tr(lang, key, f, m)
		}
		return ""
	case tour.FailoverSteps:
		if sec.Did != nil {
			return tr(lang, key, sec.Did.Node, sec.Did.Target)
		}
	case tour.Leader:
		return tr(lang, key, firstNode(sec))
	}
	return tr(lang, key)
}

func firstNode(sec *tour.Section) string {
	for _, f := range sec.Fields {
		if f.Node != "" {
			return f.Node
		}
	}
	return "?"
}

// field finds the value of a field of the section, of node when given.
func field(sec *tour.Section, node, name string) (string, bool) {
	for _, f := range sec.Fields {
		if f.Name == name && (node == "" || f.Node == node) {
			return f.Value, true
		}
	}
	return "", false
}

func fieldNode(sec *tour.Section, name string) string {
	for _, f := range sec.Fields {
		if f.Name == name {
			return f.Node
		}
	}
	return ""
}

// fieldMeaning says what an INFO field, setting or value means.
func fieldMeaning(name string, lang Lang) string {
	if tour.IsSlaveN(name) {
		name = "slaveN"
	}
	if _, ok := texts["tour field "+name]; !ok {
		return ""
	}
	return tr(lang, "tour field "+name)
}

// lineMeaning says what one log line means: a replication line of a data
// node, or a sentinel's event or log-only line.
func lineMeaning(l tour.LogLine, names failover.Names, lang Lang) string {
	if l.Role == tour.Follower || l.Role == tour.Leader {
		return sentinelLineMeaning(l, names, lang)
	}
	r, ok := nodelog.ParseRepl(l.Line)
	if !ok {
		return ""
	}
	key := "tour line " + string(r.Kind)
	args := []any{}
	switch r.Kind {
	case nodelog.SyncLoading:
		for prefix, sub := range map[string]string{"receiving": "receiving", "Flushing": "flushing", "Loading": "loading"} {
			if strings.HasPrefix(r.Detail, prefix) {
				key += " " + sub
			}
		}
	case nodelog.SyncDone:
		if r.Detail == "partial" {
			key += " partial"
		}
	case nodelog.SyncConnecting, nodelog.ServeAsked, nodelog.ServeFull, nodelog.ServeDone, nodelog.ServeReplicaLost,
		nodelog.SyncReplicaOf, nodelog.SyncSocketError:
		args = append(args, names.Addr(r.Detail))
	case nodelog.ServePartialRefused:
		why, _, _ := strings.Cut(r.Detail, " (")
		args = append(args, why)
	case nodelog.ServePartial:
		args = append(args, names.Addr(r.Detail))
		for _, a := range r.Args {
			args = append(args, a)
		}
	case nodelog.ServeBGSave:
		args = append(args, r.Detail)
	default:
		for _, a := range r.Args {
			args = append(args, a)
		}
	}
	return trArgs(lang, key, args)
}

// trArgs formats key with as many of args as it has verbs for, and
// leaves a line whose values are missing unexplained rather than wrong.
func trArgs(lang Lang, key string, args []any) string {
	t, ok := texts[key]
	if !ok {
		return ""
	}
	s := t.en
	if lang == Chinese {
		s = t.zh
	}
	n := strings.Count(s, "%")
	if n > len(args) {
		return ""
	}
	return fmt.Sprintf(s, args[:n]...)
}

// sentinelLineMeaning explains a sentinel's log line: an event as the
// failover timeline does, or a line only the log has.
func sentinelLineMeaning(l tour.LogLine, names failover.Names, lang Lang) string {
	notes := nodelog.SentinelNotes([]nodelog.Line{{Service: l.Node, Time: l.Time, Text: l.Line}})
	if len(notes) == 0 {
		return ""
	}
	n := notes[0]
	switch n.Kind {
	case nodelog.NoteFailoverDelay:
		return tr(lang, "tour note failover-delay", n.Until.Format("15:04:05"))
	case nodelog.NoteVotedFor:
		return tr(lang, "tour note voted-for", names.ID(n.Voter), names.ID(n.Leader), n.Epoch)
	}
	return Explain(failover.Event{Sentinel: l.Node, Type: n.Event, Detail: n.Detail}, names, lang)
}
