package present

import (
	"io"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/tour"
)

// syncView is one sync section of the page: the values that tie the two
// logs together, then both logs' lines, each with what it means.
type syncView struct {
	ID, Title, Intro string
	Fields           []tour.Field
	Lines            []tour.LogLine
	Notes            []string
}

// WriteHTMLWithSyncs renders r as WriteHTML does, followed by the sync
// sections of the tour that made the failover (full-sync, partial-sync),
// explained in lang.
func WriteHTMLWithSyncs(w io.Writer, r *failover.Report, syncs []*tour.Section, lang Lang) error {
	if lang == "" {
		lang = English
	}
	v, err := build(r, lang)
	if err != nil {
		return err
	}
	v.Syncs = syncViews(syncs, r.Names(), lang)
	return execute(w, v)
}

// syncViews explains copies of the sections, so the caller's keep their
// own language.
func syncViews(syncs []*tour.Section, names failover.Names, lang Lang) []syncView {
	var out []syncView
	for _, s := range syncs {
		c := *s
		c.Fields = append([]tour.Field(nil), s.Fields...)
		c.Lines = append([]tour.LogLine(nil), s.Lines...)
		AnnotateSection(&c, names, lang)
		out = append(out, syncView{ID: c.ID, Title: c.Title, Intro: c.Intro, Fields: c.Fields, Lines: c.Lines, Notes: c.Notes})
	}
	return out
}
