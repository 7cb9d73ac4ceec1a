package present

import (
	"fmt"
	"io"

	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/render"
)

// WriteRender lists what rendering did, file by file.
func WriteRender(w io.Writer, l *lab.Lab, res *render.Result) {
	if !res.Changed() {
		fmt.Fprintf(w, "Nothing changed: the files of lab %q in %s are up to date.\n", l.Config.Name, l.Dir.Root)
		writeKeptNotes(w, l, res)
		return
	}
	fmt.Fprintf(w, "Rendered %s in %s\n", l.Config.Describe(), l.Dir.Root)
	if len(res.Dirs) > 0 {
		fmt.Fprintf(w, "  %-9s %d mount folders under data/\n", "created", len(res.Dirs))
	}
	for _, f := range res.Files {
		if f.Action != render.Unchanged {
			fmt.Fprintf(w, "  %-9s %s\n", f.Action, l.Dir.Rel(f.Path))
		}
	}
	writeKeptNotes(w, l, res)
}

func writeKeptNotes(w io.Writer, l *lab.Lab, res *render.Result) {
	for _, f := range res.Files {
		if f.Action == render.KeptEdited {
			fmt.Fprintf(w, "note: %s was edited by hand and is kept; put your changes in compose/docker-compose.override.yml and delete it to render it again\n", l.Dir.Rel(f.Path))
		}
	}
	for _, n := range res.Notes {
		fmt.Fprintln(w, "note:", n)
	}
}
