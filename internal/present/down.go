package present

import (
	"fmt"
	"io"

	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
)

// WriteDown says what down removed of lab labName and what became of its
// data; asked is whether --volumes was given.
func WriteDown(w io.Writer, labName string, res *lab.DownResult, asked bool) {
	if len(res.Containers) == 0 && len(res.Networks) == 0 {
		fmt.Fprintf(w, "Lab %q is not running; nothing to remove.\n", labName)
	} else {
		fmt.Fprintf(w, "Lab %q is down: removed %d containers and %d networks.\n", labName, len(res.Containers), len(res.Networks))
	}
	switch {
	case asked && len(res.DeletedData) > 0:
		fmt.Fprintf(w, "Deleted %d data folders under data/.\n", len(res.DeletedData))
	case !asked:
		fmt.Fprintln(w, "data/ is kept: `sentinel-lab up` resumes the lab as it was (down --volumes deletes it).")
	}
}

// WriteDataKeptNoLab says why down --volumes deleted nothing in dir.
func WriteDataKeptNoLab(w io.Writer, dir labdir.Dir) {
	fmt.Fprintf(w, "data/ is kept: no lab was created here with sentinel-lab (%s is missing), so --volumes deletes nothing; delete the folders yourself if you mean to.\n",
		dir.Rel(dir.StateDir()))
}
