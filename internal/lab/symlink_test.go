package lab

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
)

// Issue 17: a lab reached through a symlinked path (--dir link-to-lab, or
// cd link-to-lab) was taken for another lab: "lab name ... is already used
// by the lab in <the directory the link points to>".
func TestLabReachedThroughASymlinkIsTheSameLab(t *testing.T) {
	env := newTestEnv(healthy)
	real := mkdir(t, newDir(t))
	env.up(t, real, nil)

	link := filepath.Join(t.TempDir(), "link-to-lab")
	if err := os.Symlink(real.Root, link); err != nil {
		t.Fatal(err)
	}
	dir, err := labdir.New(link)
	if err != nil {
		t.Fatal(err)
	}
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	env.Lab = l
	if _, err := env.Status(ctx); err != nil {
		var taken *NameTakenError
		if errors.As(err, &taken) {
			t.Fatalf("the lab through its symlink is taken for another: %v", err)
		}
		t.Fatal(err)
	}
	res, err := env.Up(ctx, dir, loadConfig(t, dir, nil), UpOptions{Timeout: 60e9})
	if err != nil || !res.AlreadyUp {
		t.Errorf("up through the symlink: %v (already up %v), want the running lab recognised", err, res != nil && res.AlreadyUp)
	}
}
