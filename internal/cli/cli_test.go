package cli_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/app"
	"github.com/sentinel-lab/sentinel-lab/internal/cli"
	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/engine/enginetest"
)

// run runs one command line against f, in memory.
func run(f *cli.Factory, args ...string) (out, errOut string, err error) {
	var o, e bytes.Buffer
	root := cli.NewRoot(cli.Streams{In: strings.NewReader(""), Out: &o, Err: &e}, f)
	root.SetArgs(args)
	err = root.ExecuteContext(context.Background())
	return o.String(), e.String(), err
}

// fakeFactory hands out eng and counts how often an engine was asked for.
func fakeFactory(eng engine.Engine, asked *int) *cli.Factory {
	return &cli.Factory{NewEngine: func() (engine.Engine, error) {
		*asked++
		return eng, nil
	}}
}

func labDir(t *testing.T) string {
	t.Helper()
	d := filepath.Join(t.TempDir(), "cli-lab")
	if err := os.Mkdir(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

// Help, render, config and usage mistakes never ask for an engine.
func TestCommandsThatNeedNoEngine(t *testing.T) {
	dir := labDir(t)
	for _, args := range [][]string{
		{"--help"}, {"up", "--help"}, {"status", "--help"}, {"down", "--help"}, {"image", "build", "--help"},
		{"render", "--dir", dir}, {"config", "--dir", dir},
		{"up", "--dir", dir, "-o", "yaml"}, {"up", "--dir", dir, "--quorum", "9"}, {"status", "--dir", dir, "-o", "xml"},
	} {
		asked := 0
		run(fakeFactory(enginetest.New(), &asked), args...)
		if asked > 0 {
			t.Errorf("%v asked for an engine", args)
		}
	}
}

func TestUpWithoutAnEngineFailsAndWritesNothing(t *testing.T) {
	eng := enginetest.New("redis:7.2")
	eng.FailOn("Ping", errors.New("no Docker daemon answers at unix:///var/run/docker.sock: start it"))
	dir := labDir(t)
	asked := 0

	_, _, err := run(fakeFactory(eng, &asked), "up", "--dir", dir)

	if err == nil || !strings.Contains(err.Error(), "no Docker daemon answers") {
		t.Fatalf("got %v, want the engine's error", err)
	}
	if app.IsUsage(err) {
		t.Error("a missing daemon is reported as a usage error (exit 2), want a failure (exit 1)")
	}
	if list, _ := os.ReadDir(dir); len(list) > 0 {
		t.Errorf("up wrote %d entries without an engine", len(list))
	}
}

func TestUpRefusesANameInUseAsAUsageError(t *testing.T) {
	eng := enginetest.New("redis:7.2")
	if _, err := eng.CreateContainer(context.Background(), engine.ContainerSpec{Name: "shared-master-1", Image: "redis:7.2",
		Labels: map[string]string{engine.LabelProject: "shared", engine.LabelService: "master", engine.LabelWorkingDir: "/srv/first/compose"}}); err != nil {
		t.Fatal(err)
	}
	asked := 0
	_, _, err := run(fakeFactory(eng, &asked), "up", "--dir", labDir(t), "--name", "shared")
	if err == nil || !strings.Contains(err.Error(), "already used by the lab in /srv/first") || !app.IsUsage(err) {
		t.Errorf("got %v (usage %v), want the other lab named, as a usage error", err, app.IsUsage(err))
	}
}

func TestDown(t *testing.T) {
	ctx := context.Background()
	dir := labDir(t)
	if _, errOut, err := run(&cli.Factory{}, "render", "--dir", dir, "--name", "downer"); err != nil {
		t.Fatalf("render: %v %s", err, errOut)
	}
	eng := enginetest.New("redis:7.2")
	eng.AddNetwork(engine.Network{Name: "downer_lab", Labels: map[string]string{engine.LabelProject: "downer"}})
	for _, s := range []string{"master", "sentinel-1"} {
		id, err := eng.CreateContainer(ctx, engine.ContainerSpec{Name: "downer-" + s + "-1", Image: "redis:7.2",
			Labels:    map[string]string{engine.LabelProject: "downer", engine.LabelService: s, engine.LabelWorkingDir: filepath.Join(dir, "compose")},
			Endpoints: []engine.Endpoint{{Network: "downer_lab"}}})
		if err != nil {
			t.Fatal(err)
		}
		eng.Start(ctx, id)
	}
	asked := 0
	f := fakeFactory(eng, &asked)

	out, _, err := run(f, "down", "--dir", dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `Lab "downer" is down: removed 2 containers and 1 networks.`) || !strings.Contains(out, "data/ is kept") {
		t.Errorf("down printed %q", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "master", "data", "redis.conf")); err != nil {
		t.Errorf("down without --volumes lost the master's conf: %v", err)
	}

	out, _, err = run(f, "down", "--dir", dir, "--volumes")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `Lab "downer" is not running; nothing to remove.`) || !strings.Contains(out, "Deleted 6 data folders under data/.") {
		t.Errorf("down --volumes printed %q", out)
	}
	if list, _ := os.ReadDir(filepath.Join(dir, "data")); len(list) > 0 {
		t.Errorf("data/ still holds %d entries", len(list))
	}
}

// down in a directory that was never rendered still goes by the lab name
// the configuration gives, and finds nothing to do.
func TestDownOfANeverRenderedLab(t *testing.T) {
	dir := labDir(t)
	asked := 0
	out, _, err := run(fakeFactory(enginetest.New(), &asked), "down", "--dir", dir)
	if err != nil || !strings.Contains(out, `Lab "cli-lab" is not running`) {
		t.Errorf("got %q, %v", out, err)
	}
	if list, _ := os.ReadDir(dir); len(list) > 0 {
		t.Errorf("down wrote %d entries", len(list))
	}
}

// A directory with a hand-made lab's data/ but no lab sentinel-lab created:
// down --volumes must not delete folders it did not make.
func TestDownVolumesKeepsDataItDidNotCreate(t *testing.T) {
	dir := labDir(t)
	precious := filepath.Join(dir, "data", "master", "data", "dump.rdb")
	if err := os.MkdirAll(filepath.Dir(precious), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(precious, []byte("keys"), 0o644)
	asked := 0
	out, _, err := run(fakeFactory(enginetest.New(), &asked), "down", "--dir", dir, "--volumes")
	if err != nil || !strings.Contains(out, "--volumes deletes nothing") {
		t.Errorf("got %q, %v", out, err)
	}
	if _, err := os.Stat(precious); err != nil {
		t.Errorf("down --volumes deleted a hand-made lab's data: %v", err)
	}
}

// Without its password file the lab cannot be probed, and the error says
// to start afresh with down --volumes: that must work, since down only
// talks to the engine.
func TestDownWorksWithoutThePasswordFile(t *testing.T) {
	dir := labDir(t)
	if _, errOut, err := run(&cli.Factory{}, "render", "--dir", dir, "--name", "lost"); err != nil {
		t.Fatalf("render: %v %s", err, errOut)
	}
	if err := os.Remove(filepath.Join(dir, ".sentinel-lab", "password")); err != nil {
		t.Fatal(err)
	}
	asked := 0
	f := fakeFactory(enginetest.New(), &asked)
	if _, _, err := run(f, "status", "--dir", dir); err == nil || !strings.Contains(err.Error(), "down --volumes") {
		t.Fatalf("status without the password file: %v, want the advice to run down --volumes", err)
	}

	out, _, err := run(f, "down", "--dir", dir, "--volumes")

	if err != nil {
		t.Fatalf("down --volumes without the password file: %v", err)
	}
	if !strings.Contains(out, "Deleted 6 data folders") {
		t.Errorf("down --volumes printed %q", out)
	}
}

// A file that is no Redis or Valkey server is refused before any engine
// is asked, so no image is made.
func TestImageBuildRefusesWhatIsNoServer(t *testing.T) {
	if _, err := os.Stat("/bin/true"); err != nil {
		t.Skip("no /bin/true")
	}
	for _, path := range []string{"/bin/true", filepath.Join(t.TempDir(), "absent")} {
		asked := 0
		eng := enginetest.New()
		_, _, err := run(fakeFactory(eng, &asked), "image", "build", "--redis-server", path)
		if err == nil || !strings.Contains(err.Error(), "--redis-server "+path) {
			t.Errorf("%s: %v, want an error naming it", path, err)
		}
		if asked > 0 || len(eng.CallsTo("BuildImage")) > 0 {
			t.Errorf("%s: the engine was asked (%d) or an image built", path, asked)
		}
	}
}
