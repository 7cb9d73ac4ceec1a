package present

import (
	"fmt"
	"io"
	"strings"

	"github.com/sentinel-lab/sentinel-lab/internal/fault"
)

// WriteFault prints what the fault command did: each node faulted, when a
// sleep ends, and what was undone after --for.
func WriteFault(w io.Writer, labName string, applied []fault.Applied, undone []string) {
	for _, a := range applied {
		fmt.Fprintf(w, "%s: %s at %s (took %d ms)", a.Service, a.Fault, a.At.Format("15:04:05.000"), a.CallMS)
		if !a.Until.IsZero() && a.Mode == fault.Sleep {
			fmt.Fprintf(w, "; asleep until %s, then it wakes by itself", a.Until.Format("15:04:05.000"))
		}
		fmt.Fprintln(w)
	}
	if len(undone) > 0 {
		fmt.Fprintf(w, "After the hold, undone: %s.\n", strings.Join(undone, "; "))
		return
	}
	if len(applied) > 0 && applied[0].Mode != fault.Sleep {
		fmt.Fprintf(w, "Next: sentinel-lab status shows what the sentinels make of it; sentinel-lab revive undoes it (lab %q).\n", labName)
	}
}
