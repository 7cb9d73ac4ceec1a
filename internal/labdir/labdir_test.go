package labdir

import (
	"os"
	"path/filepath"
	"testing"
)

func TestNewResolvesSymlinksAndSamePathComparesThem(t *testing.T) {
	real := filepath.Join(t.TempDir(), "lab")
	if err := os.Mkdir(real, 0o755); err != nil {
		t.Fatal(err)
	}
	real, _ = filepath.EvalSymlinks(real)
	link := filepath.Join(t.TempDir(), "link-to-lab")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	d, err := New(link)
	if err != nil || d.Root != real {
		t.Errorf("New(%s) = %q (%v), want %s", link, d.Root, err, real)
	}
	if !SamePath(link, real) || !SamePath(real, real) {
		t.Error("a link and its target are not the same path")
	}
	if SamePath(real, filepath.Dir(real)) || SamePath(real+"-missing", real) {
		t.Error("different paths compare equal")
	}
}
