package render_test

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
	"github.com/sentinel-lab/sentinel-lab/internal/render"
	"github.com/sentinel-lab/sentinel-lab/internal/render/rendertest"
)

var update = flag.Bool("update", false, "rewrite the golden files and compose/docker-compose.yml")

func TestGolden(t *testing.T) {
	for _, c := range rendertest.Cases {
		t.Run(c.Name, func(t *testing.T) {
			dir := labdir.Dir{Root: t.TempDir()}
			if _, err := render.Render(dir, c.Input(t)); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", c.Name)
			if *update {
				os.RemoveAll(golden)
				copyTree(t, dir.Root, golden)
			}
			compareTrees(t, dir.Root, golden)
		})
	}
}

// The compose file committed at the top of the repository is the rendering
// of the defaults.
func TestCommittedComposeFileIsTheDefaultRendering(t *testing.T) {
	got, err := render.ComposeFile(rendertest.Cases[0].Input(t))
	if err != nil {
		t.Fatal(err)
	}
	committed := filepath.Join("..", "..", "compose", "docker-compose.yml")
	if *update {
		if err := os.WriteFile(committed, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(committed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("compose/docker-compose.yml is not the rendering of the defaults; run go test ./internal/render -update")
	}
}

func TestRenderCreatesTheTwelveMountFoldersAndOneConfPerNode(t *testing.T) {
	dir := labdir.Dir{Root: t.TempDir()}
	res, err := render.Render(dir, rendertest.Cases[0].Input(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Dirs) != 12 {
		t.Errorf("created %d folders, want 12: %v", len(res.Dirs), res.Dirs)
	}
	for _, node := range []string{"master", "node-1", "node-2", "sentinel-1", "sentinel-2", "sentinel-3"} {
		for _, sub := range []string{"data", "logs"} {
			if info, err := os.Stat(filepath.Join(dir.Root, "data", node, sub)); err != nil || !info.IsDir() {
				t.Errorf("data/%s/%s is missing: %v", node, sub, err)
			}
		}
	}
	for _, s := range []string{"sentinel-1", "sentinel-2", "sentinel-3"} {
		conf := filepath.Join(dir.Root, "data", s, "data", "sentinel.conf")
		b, err := os.ReadFile(conf)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "sentinel monitor redis-master 172.28.5.10 6379 2\n") {
			t.Errorf("%s does not monitor redis-master with quorum 2:\n%s", s, b)
		}
		if info, _ := os.Stat(conf); info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v; it holds the password, want 0600", s, info.Mode().Perm())
		}
	}
}

func TestSecondRenderChangesNothing(t *testing.T) {
	dir := labdir.Dir{Root: t.TempDir()}
	in := rendertest.Cases[0].Input(t)
	if _, err := render.Render(dir, in); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir.Root)
	res, err := render.Render(dir, in)
	if err != nil {
		t.Fatal(err)
	}
	if res.Changed() {
		t.Errorf("second render reported changes: %+v", res)
	}
	if after := snapshot(t, dir.Root); !equalMaps(before, after) {
		t.Error("second render changed files on disk")
	}
}

// Sentinel rewrites its conf; rendering again must not undo that, and the
// other sentinels keep naming it by the id it already has.
func TestExistingConfsAreKeptAndTheirIDsReused(t *testing.T) {
	dir := labdir.Dir{Root: t.TempDir()}
	in := rendertest.Cases[0].Input(t)
	if _, err := render.Render(dir, in); err != nil {
		t.Fatal(err)
	}
	s1 := filepath.Join(dir.Root, "data", "sentinel-1", "data", "sentinel.conf")
	rewritten := "port 26379\nsentinel myid 1111111111111111111111111111111111111111\nsentinel current-epoch 3\n"
	if err := os.WriteFile(s1, []byte(rewritten), 0o600); err != nil {
		t.Fatal(err)
	}
	s2 := filepath.Join(dir.Root, "data", "sentinel-2", "data", "sentinel.conf")
	os.Remove(s2)

	res, err := render.Render(dir, in)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(s1); string(b) != rewritten {
		t.Errorf("sentinel-1's conf was overwritten:\n%s", b)
	}
	b, _ := os.ReadFile(s2)
	if !strings.Contains(string(b), "known-sentinel redis-master 172.28.5.101 26379 1111111111111111111111111111111111111111") {
		t.Errorf("re-rendered sentinel-2 does not know sentinel-1 by its kept id:\n%s", b)
	}
	actions := map[string]render.Action{}
	for _, f := range res.Files {
		actions[dir.Rel(f.Path)] = f.Action
	}
	if actions["data/sentinel-1/data/sentinel.conf"] != render.Kept || actions["data/sentinel-2/data/sentinel.conf"] != render.Created {
		t.Errorf("actions: %v", actions)
	}
}

func TestHandEditedComposeFileIsKept(t *testing.T) {
	dir := labdir.Dir{Root: t.TempDir()}
	in := rendertest.Cases[0].Input(t)
	if _, err := render.Render(dir, in); err != nil {
		t.Fatal(err)
	}
	original, _ := os.ReadFile(dir.ComposeFile())
	if !render.GeneratedUnedited(original) {
		t.Fatal("a freshly rendered compose file must pass its own checksum")
	}
	edited := append(original, []byte("# my change\n")...)
	os.WriteFile(dir.ComposeFile(), edited, 0o644)

	in2 := rendertest.Cases[1].Input(t) // a different shape would rewrite an unedited file
	res, err := render.Render(dir, in2)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(dir.ComposeFile()); !bytes.Equal(b, edited) {
		t.Error("the hand-edited compose file was overwritten")
	}
	for _, f := range res.Files {
		if f.Path == dir.ComposeFile() && f.Action != render.KeptEdited {
			t.Errorf("compose file action %q, want %q", f.Action, render.KeptEdited)
		}
	}
}

// When data/ cannot hold the mount folders, rendering fails naming it and
// writes nothing at all.
func TestUnwritableLabWritesNothing(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "data"), []byte("not a folder"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := labdir.Dir{Root: root}
	_, err := render.Render(dir, rendertest.Cases[0].Input(t))
	if err == nil || !strings.Contains(err.Error(), "cannot write data") {
		t.Fatalf("got %v, want an error naming data", err)
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != 1 {
		t.Errorf("the lab directory holds %d entries after a failed render, want only data", len(entries))
	}
}

func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		info, _ := d.Info()
		content := ""
		if !d.IsDir() {
			b, _ := os.ReadFile(p)
			content = string(b)
		}
		out[p] = info.ModTime().String() + "|" + content
		return nil
	})
	return out
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		dst := filepath.Join(to, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func compareTrees(t *testing.T, got, want string) {
	t.Helper()
	files := func(root string) map[string][]byte {
		m := map[string][]byte{}
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				rel, _ := filepath.Rel(root, p)
				m[rel], _ = os.ReadFile(p)
			}
			return nil
		})
		return m
	}
	g, w := files(got), files(want)
	if len(w) == 0 {
		t.Fatalf("no golden files in %s; run go test ./internal/render -update", want)
	}
	for name, content := range w {
		if !bytes.Equal(g[name], content) {
			t.Errorf("%s differs from %s; run go test ./internal/render -update and review the diff",
				name, filepath.Join(want, name))
		}
	}
	for name := range g {
		if _, ok := w[name]; !ok {
			t.Errorf("%s was rendered but has no golden file", name)
		}
	}
}

// A server without the setting (Redis 6.2) gets confs without it: it
// would refuse to start on it.
func TestConfsWithoutTheDebugSetting(t *testing.T) {
	dir := labdir.Dir{Root: t.TempDir()}
	in := rendertest.Cases[0].Input(t)
	in.EnableDebug = false
	if _, err := render.Render(dir, in); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(dir.NodeData("node-1") + "/redis.conf")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "enable-debug-command") {
		t.Errorf("conf enables DEBUG:\n%s", b)
	}
}
