package lab

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// Issue 17: down --volumes after a shrink left data/node-2 and data/node-3
// (a dump.rdb and a conf in which node-2 is a master), which a later
// --replicas 3 reused. It deletes every node folder the lab ever made, and
// nothing it did not make.
func TestDownVolumesDeletesTheFoldersOfRemovedNodes(t *testing.T) {
	dir := mkdir(t, newDir(t))
	for _, replicas := range []string{"3", "1"} {
		l, err := Resolve(dir, loadConfig(t, dir, map[string]string{"replicas": replicas}), nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.Render(map[string]string{"replicas": replicas}); err != nil {
			t.Fatal(err)
		}
	}
	mine := filepath.Join(dir.Path("data"), "mine")
	if err := os.MkdirAll(mine, 0o755); err != nil {
		t.Fatal(err)
	}
	l, err := OpenWithoutPassword(dir)
	if err != nil {
		t.Fatal(err)
	}
	env := newTestEnv(healthy)
	env.Lab = l

	res, err := env.Down(ctx, DownOptions{Volumes: true})

	if err != nil {
		t.Fatal(err)
	}
	want := []string{"data/master", "data/node-1", "data/node-2", "data/node-3", "data/sentinel-1", "data/sentinel-2", "data/sentinel-3"}
	if got := sorted(res.DeletedData); !slices.Equal(got, want) {
		t.Errorf("deleted %v, want %v", got, want)
	}
	for _, s := range []string{"node-2", "node-3"} {
		if _, err := os.Stat(dir.NodeDir(s)); !os.IsNotExist(err) {
			t.Errorf("data/%s is left (%v)", s, err)
		}
	}
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("down --volumes deleted a folder the lab did not make: %v", err)
	}
}
