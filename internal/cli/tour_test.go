package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/present"
)

func TestTourFlags(t *testing.T) {
	var got *tourOptions
	capture := func(_ context.Context, o *tourOptions) error { got = o; return nil }
	if err := parse(newTourCommand(&Factory{}, capture), "--lang", "zh", "--step", "--timeout", "30s", "--report", "t.html", "--down-after", "1000"); err != nil {
		t.Fatal(err)
	}
	if got.lang != present.Chinese || !got.step || got.timeout != 30*time.Second || got.report != "t.html" || got.output != "text" {
		t.Errorf("options %+v", got)
	}
	if got.flags.set()["down-after"] != "1000" {
		t.Errorf("the lab's flags are not up's: %v", got.flags.set())
	}
	for args, want := range map[string]string{
		"--lang fr":    "--lang zh",
		"-o yaml":      "use -o text or -o json",
		"--timeout 0s": "--timeout 0s must be positive",
		"--report -":   "needs a file name",
	} {
		got = nil
		err := parse(newTourCommand(&Factory{}, capture), strings.Fields(args)...)
		if err == nil || !strings.Contains(err.Error(), want) || got != nil {
			t.Errorf("tour %s: %v (ran: %v), want %q", args, err, got != nil, want)
		}
	}
}

// --step waits only on a terminal: in a pipe (CI) the tour runs straight
// through, reading nothing.
func TestTourStepWithoutATerminalDoesNotWait(t *testing.T) {
	in := strings.NewReader("\n")
	var errb bytes.Buffer
	o := &tourOptions{f: &Factory{IO: Streams{In: in, Out: &bytes.Buffer{}, Err: &errb}}, step: true}
	pause := o.pauser()
	pause()
	if in.Len() != 1 || errb.Len() != 0 {
		t.Errorf("the pause read %d bytes and said %q without a terminal", 1-in.Len(), errb.String())
	}
}
