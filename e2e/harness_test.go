// Package e2e runs sentinel-lab end to end: the real CLI, in-process,
// against the real Docker daemon and real redis-server containers.
//
// Without a daemon the tests skip, saying why; with CI=true they fail
// instead, so CI cannot pass without running them.
package e2e

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/app"
	"github.com/sentinel-lab/sentinel-lab/internal/cli"
	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
)

// requireDocker skips the test when no daemon answers, unless CI=true.
func requireDocker(t *testing.T) engine.Engine {
	t.Helper()
	d, err := engine.NewDocker()
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err = d.Ping(ctx)
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("end-to-end tests need a Docker daemon and CI=true: %v", err)
		}
		t.Skipf("no Docker daemon, skipping the end-to-end test (CI=true makes this a failure): %v", err)
	}
	return d
}

// Lab is one lab under test, in its own directory, with its own name and
// free host ports.
type Lab struct {
	t    *testing.T
	Dir  string
	Name string
	Eng  engine.Engine
	// Flags are given to the first up.
	Flags []string
	// Port is the master's host port (--port); the other nodes' follow it.
	Port int
}

// newLab prepares a lab with a name unique to the test, down-after 1000
// ms and fast timers, so the suite does not wait on Sentinel's 10 s INFO
// period (a test about the normal periods passes --timers normal, which
// wins as the later flag); it is removed, data included, when the test
// ends. E2E_LAB_PREFIX (default e2e) starts the lab names, so runs of
// several people on one daemon tell their labs apart.
func newLab(t *testing.T, extra ...string) *Lab {
	t.Helper()
	eng := requireDocker(t)
	sum := sha1.Sum([]byte(t.Name() + strconv.FormatInt(time.Now().UnixNano(), 10)))
	prefix := os.Getenv("E2E_LAB_PREFIX")
	if prefix == "" {
		prefix = "e2e"
	}
	l := &Lab{t: t, Dir: t.TempDir(), Name: prefix + "-" + hex.EncodeToString(sum[:4]), Eng: eng}
	base := freePortBase(t)
	l.Port = base
	l.Flags = append([]string{
		"--name", l.Name, "--down-after", "1000", "--timers", "fast",
		"--port", strconv.Itoa(base), "--sentinel-port", strconv.Itoa(base + 100),
	}, extra...)
	t.Cleanup(func() {
		r := l.run("down", "--volumes")
		if r.code != 0 {
			t.Errorf("cleanup: down failed: %s", r.stderr)
		}
		l.assertNothingLeft()
	})
	return l
}

// freePortBase finds a base port with 200 free ports above it.
func freePortBase(t *testing.T) int {
	t.Helper()
	for attempt := 0; attempt < 50; attempt++ {
		base := 20000 + rand.IntN(400)*100
		ok := true
		for p := base; p < base+200 && ok; p++ {
			ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
			if err != nil {
				ok = false
				continue
			}
			ln.Close()
		}
		if ok {
			return base
		}
	}
	t.Fatal("no free range of 200 ports")
	return 0
}

type result struct {
	code           int
	stdout, stderr string
}

// run runs one sentinel-lab command line in the lab's directory.
func (l *Lab) run(args ...string) result {
	l.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	full := append([]string{"--dir", l.Dir}, args...)
	code := app.Run(ctx, full, cli.Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// must runs a command that has to succeed.
func (l *Lab) must(args ...string) result {
	l.t.Helper()
	r := l.run(args...)
	if r.code != 0 {
		l.t.Fatalf("sentinel-lab %s exited %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// up brings the lab up with its flags.
func (l *Lab) up(extra ...string) result {
	l.t.Helper()
	return l.must(append(append([]string{"up"}, l.Flags...), extra...)...)
}

// status returns `status -o json`.
func (l *Lab) status() lab.Report {
	l.t.Helper()
	var r lab.Report
	out := l.must("status", "-o", "json").stdout
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		l.t.Fatalf("status -o json: %v\n%s", err, out)
	}
	return r
}

// containers lists the lab's containers by label.
func (l *Lab) containers() []engine.Container {
	l.t.Helper()
	list, err := l.Eng.Containers(context.Background(), map[string]string{engine.LabelProject: l.Name})
	if err != nil {
		l.t.Fatal(err)
	}
	return list
}

func (l *Lab) container(service string) engine.Container {
	l.t.Helper()
	for _, c := range l.containers() {
		if c.Service == service {
			return c
		}
	}
	l.t.Fatalf("no container for %s", service)
	return engine.Container{}
}

// assertNothingLeft checks no container or network of the lab remains.
func (l *Lab) assertNothingLeft() {
	l.t.Helper()
	if c := l.containers(); len(c) > 0 {
		l.t.Errorf("%d containers of %s left behind", len(c), l.Name)
	}
	nets, err := l.Eng.Networks(context.Background())
	if err != nil {
		l.t.Fatal(err)
	}
	for _, n := range nets {
		if n.Labels[engine.LabelProject] == l.Name {
			l.t.Errorf("network %s left behind", n.Name)
		}
	}
}

func (l *Lab) path(elem ...string) string {
	return strings.Join(append([]string{l.Dir}, elem...), string(os.PathSeparator))
}

func describe(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return fmt.Sprint(string(b))
}
