package cli_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/cli"
	"github.com/sentinel-lab/sentinel-lab/internal/engine/enginetest"
)

// Issue 17: status exited 0 on an unhealthy lab. With --check it fails,
// in text and in JSON, so a CI step can rely on it; without, it reports.
func TestStatusCheckFailsOnAnUnhealthyLab(t *testing.T) {
	dir := labDir(t)
	if _, errOut, err := run(&cli.Factory{}, "render", "--dir", dir, "--name", "chk"); err != nil {
		t.Fatalf("render: %v %s", err, errOut)
	}
	asked := 0
	f := fakeFactory(enginetest.New(), &asked)
	if out, _, err := run(f, "status", "--dir", dir); err != nil || !strings.Contains(out, "NOT healthy") {
		t.Errorf("status without --check: %v\n%s", err, out)
	}
	for _, args := range [][]string{{"status", "--dir", dir, "--check"}, {"status", "--dir", dir, "--check", "-o", "json"}} {
		out, _, err := run(f, args...)
		var unhealthy *cli.UnhealthyError
		if !errors.As(err, &unhealthy) || !strings.Contains(err.Error(), `lab "chk" is not healthy`) || !strings.Contains(err.Error(), "is not running") {
			t.Errorf("%v: got %v, want the lab's first problem", args, err)
		}
		if !strings.Contains(out, "chk") {
			t.Errorf("%v printed no report:\n%s", args, out)
		}
	}
}
