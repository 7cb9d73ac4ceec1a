package nodelog

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// files is a Source of files and output held in memory, by container id.
type files struct {
	file   map[string]string
	output map[string][]engine.OutputLine
	reads  int
}

func (f *files) ReadFile(_ context.Context, id, path string) ([]byte, error) {
	f.reads++
	s, ok := f.file[id+path]
	if !ok {
		return nil, fmt.Errorf("reading %s: %w", path, cerrdefs.ErrNotFound)
	}
	return []byte(s), nil
}

func (f *files) FileSize(_ context.Context, id, path string) (int64, error) {
	s, ok := f.file[id+path]
	if !ok {
		return 0, fmt.Errorf("no %s: %w", path, cerrdefs.ErrNotFound)
	}
	return int64(len(s)), nil
}

func (f *files) Output(_ context.Context, id string, since time.Time) ([]engine.OutputLine, error) {
	var out []engine.OutputLine
	for _, l := range f.output[id] {
		if since.IsZero() || l.Time.After(since) {
			out = append(out, l)
		}
	}
	return out, nil
}

const (
	masterLog = "/logs/redis.log"
	sentLog   = "/logs/sentinel.log"
)

func TestReadThenPollReturnsOnlyNewFullLines(t *testing.T) {
	src := &files{file: map[string]string{
		"m" + masterLog: "1:M 24 Nov 2026 10:00:00.100 * one\n",
		"s" + sentLog:   "1:X 24 Nov 2026 10:00:00.050 # +monitor\n1:X 24 Nov 2026 10:00:00.200 # half a li",
	}, output: map[string][]engine.OutputLine{}}
	targets := []Target{
		{Service: "master", ContainerID: "m", Path: masterLog},
		{Service: "sentinel-1", ContainerID: "s", Path: sentLog},
	}
	r := NewReader(src)
	lists, err := r.Read(context.Background(), targets)
	if err != nil {
		t.Fatal(err)
	}
	if got := texts(Merge(lists...)); got != "sentinel-1:1:X 24 Nov 2026 10:00:00.050 # +monitor master:1:M 24 Nov 2026 10:00:00.100 * one" {
		t.Errorf("Read: %s", got)
	}

	if got := r.Poll(context.Background(), targets); len(got) != 0 {
		t.Errorf("Poll with nothing new: %s", texts(got))
	}
	reads := src.reads
	r.Poll(context.Background(), targets)
	if src.reads != reads {
		t.Error("Poll read a file whose size did not change")
	}

	src.file["s"+sentLog] += "ne\n"
	src.file["m"+masterLog] += "1:M 24 Nov 2026 10:00:00.300 * two\n"
	src.output["m"] = []engine.OutputLine{{Time: utc("2026-11-24 10:00:00.250"), Text: "started"}}
	want := "sentinel-1:1:X 24 Nov 2026 10:00:00.200 # half a line master:started master:1:M 24 Nov 2026 10:00:00.300 * two"
	if got := texts(r.Poll(context.Background(), targets)); got != want {
		t.Errorf("Poll:\n got %s\nwant %s", got, want)
	}
	if got := r.Poll(context.Background(), targets); len(got) != 0 {
		t.Errorf("output repeated: %s", texts(got))
	}
}

func TestPollRereadsAReplacedFileAndFollowsANewContainer(t *testing.T) {
	src := &files{file: map[string]string{
		"old" + masterLog: "1:M 24 Nov 2026 10:00:00.100 * a long first life of the master\n",
	}, output: map[string][]engine.OutputLine{}}
	r := NewReader(src)
	if _, err := r.Read(context.Background(), []Target{{Service: "master", ContainerID: "old", Path: masterLog}}); err != nil {
		t.Fatal(err)
	}
	// down --volumes, then up: a new container and a new, shorter file.
	src.file["new"+masterLog] = "1:M 24 Nov 2026 11:00:00.000 * again\n"
	got := r.Poll(context.Background(), []Target{{Service: "master", ContainerID: "new", Path: masterLog}})
	if texts(got) != "master:1:M 24 Nov 2026 11:00:00.000 * again" {
		t.Errorf("after the file was replaced: %s", texts(got))
	}
}

func TestReadWithoutFileOrContainer(t *testing.T) {
	dir := t.TempDir()
	local := filepath.Join(dir, "redis.log")
	if err := os.WriteFile(local, []byte("1:M 24 Nov 2026 10:00:00.100 * kept after down\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	src := &files{file: map[string]string{}, output: map[string][]engine.OutputLine{}}
	lists, err := NewReader(src).Read(context.Background(), []Target{
		{Service: "master", LocalPath: local},
		{Service: "node-1", ContainerID: "n1", Path: masterLog}, // not written yet
		{Service: "node-2", LocalPath: filepath.Join(dir, "absent.log")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if texts(lists[0]) != "master:1:M 24 Nov 2026 10:00:00.100 * kept after down" || len(lists[1]) != 0 || len(lists[2]) != 0 {
		t.Errorf("Read: %v", lists)
	}
}

func TestTargets(t *testing.T) {
	lab := &topology.Lab{Nodes: []topology.Node{
		{Service: "master", Role: topology.Master},
		{Service: "sentinel-1", Role: topology.Sentinel},
	}}
	dir := labdir.Dir{Root: "/lab"}
	got := Targets(dir, lab.Nodes, map[string]string{"sentinel-1": "abc"})
	want := []Target{
		{Service: "master", Path: "/logs/redis.log", LocalPath: "/lab/data/master/logs/redis.log"},
		{Service: "sentinel-1", ContainerID: "abc", Path: "/logs/sentinel.log", LocalPath: "/lab/data/sentinel-1/logs/sentinel.log"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Targets = %+v\nwant %+v", got, want)
	}
}
