package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/app"
	"github.com/sentinel-lab/sentinel-lab/internal/cli"
)

type result struct {
	code        int
	out, errOut string
}

// run runs one command line in memory. None of the commands run here
// needs a container engine.
func run(t *testing.T, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := app.Run(context.Background(), args, cli.Streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
	return result{code, out.String(), errOut.String()}
}

// labDir is an empty lab directory named lab-dir.
func labDir(t *testing.T) string {
	t.Helper()
	d := filepath.Join(t.TempDir(), "lab-dir")
	if err := os.Mkdir(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

func entries(t *testing.T, dir string) []string {
	t.Helper()
	list, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range list {
		names = append(names, e.Name())
	}
	return names
}

func TestExitCodes(t *testing.T) {
	dir := labDir(t)
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no arguments shows help", nil, app.ExitOK, ""},
		{"version", []string{"version"}, app.ExitOK, ""},
		{"unknown command", []string{"bogus"}, app.ExitUsage, `unknown command "bogus"`},
		{"unknown flag", []string{"render", "--dir", dir, "--bogus"}, app.ExitUsage, "unknown flag: --bogus"},
		{"unknown shorthand", []string{"status", "-x"}, app.ExitUsage, "unknown shorthand flag"},
		{"flag without its value", []string{"render", "--dir", dir, "--replicas"}, app.ExitUsage, "flag needs an argument"},
		{"bad config value", []string{"render", "--dir", dir, "--quorum", "4"}, app.ExitUsage, "quorum 4 is larger than the 3 sentinels; use --quorum 2 or --sentinels 4"},
		{"value of the wrong kind", []string{"render", "--dir", dir, "--replicas", "two"}, app.ExitUsage, `"two" is not a whole number`},
		{"unsupported output", []string{"config", "--dir", dir, "-o", "yaml"}, app.ExitUsage, `output format "yaml" is not supported`},
		{"unsupported output of status", []string{"status", "--dir", dir, "-o", "yaml"}, app.ExitUsage, `output format "yaml"`},
		{"positional argument", []string{"render", "--dir", dir, "extra"}, app.ExitUsage, "takes no arguments"},
		{"missing lab directory", []string{"render", "--dir", filepath.Join(dir, "nope")}, app.ExitUsage, "does not exist"},
		{"lab directory is a file", []string{"config", "--dir", "/dev/null"}, app.ExitUsage, "is a file, not a directory"},
		{"no lab to show is a failure, not a usage error", []string{"status", "--dir", dir}, app.ExitFailure, "no lab in " + dir},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := run(t, c.args...)
			if r.code != c.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", r.code, c.code, r.errOut)
			}
			if !strings.Contains(r.errOut, c.stderr) {
				t.Errorf("stderr %q does not say %q", r.errOut, c.stderr)
			}
			if c.code != app.ExitOK && !strings.HasPrefix(r.errOut, "error: ") {
				t.Errorf("stderr %q, want one error line", r.errOut)
			}
		})
	}
	if names := entries(t, dir); len(names) > 0 {
		t.Errorf("failed commands wrote %v in the lab directory", names)
	}
}

func TestBadConfigWritesNothing(t *testing.T) {
	dir := labDir(t)
	r := run(t, "render", "--dir", dir, "--quorum", "4", "--replicas", "0")
	if r.code != app.ExitUsage {
		t.Fatalf("exit %d, want %d", r.code, app.ExitUsage)
	}
	// Every problem at once.
	for _, want := range []string{"nothing was written", "quorum 4", "replicas 0"} {
		if !strings.Contains(r.errOut, want) {
			t.Errorf("stderr %q does not say %q", r.errOut, want)
		}
	}
	if names := entries(t, dir); len(names) > 0 {
		t.Errorf("render with a bad value wrote %v", names)
	}
}

func TestRenderTwiceChangesNothing(t *testing.T) {
	dir := labDir(t)
	first := run(t, "render", "--dir", dir, "--name", "twice")
	if first.code != 0 || !strings.Contains(first.out, `Rendered lab "twice"`) ||
		!strings.Contains(first.out, "compose/docker-compose.yml") {
		t.Fatalf("first render: exit %d\n%s%s", first.code, first.out, first.errOut)
	}
	before, err := os.ReadFile(filepath.Join(dir, "compose", "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}

	second := run(t, "render", "--dir", dir)

	if second.code != 0 || !strings.HasPrefix(second.out, `Nothing changed: the files of lab "twice"`) {
		t.Errorf("second render: exit %d\n%s%s", second.code, second.out, second.errOut)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "compose", "docker-compose.yml"))
	if !bytes.Equal(before, after) {
		t.Error("the second render changed the compose file")
	}
}

type configEntry struct {
	Key, Value, Source, Env, Flag string
}

func configJSON(t *testing.T, args ...string) map[string]configEntry {
	t.Helper()
	r := run(t, append([]string{"config", "-o", "json"}, args...)...)
	if r.code != 0 {
		t.Fatalf("config: exit %d: %s", r.code, r.errOut)
	}
	var list []configEntry
	if err := json.Unmarshal([]byte(r.out), &list); err != nil {
		t.Fatalf("config -o json printed %q: %v", r.out, err)
	}
	out := map[string]configEntry{}
	for _, e := range list {
		out[e.Key] = e
	}
	return out
}

func TestConfigShowsWhereEachValueCameFrom(t *testing.T) {
	dir := labDir(t)
	if err := os.WriteFile(filepath.Join(dir, "sentinel-lab.yaml"), []byte("# my lab\nreplicas: 4\nimage: valkey/valkey:8\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SENTINEL_LAB_DOWN_AFTER", "1000")
	t.Setenv("SENTINEL_LAB_IMAGE", "redis:7.4")

	got := configJSON(t, "--dir", dir, "--sentinels", "5")

	want := []configEntry{
		{Key: "name", Value: "lab-dir", Source: "default (the lab directory's name)"},
		{Key: "replicas", Value: "4", Source: "sentinel-lab.yaml:2"},
		{Key: "image", Value: "redis:7.4", Source: "env SENTINEL_LAB_IMAGE"},
		{Key: "down-after", Value: "1s", Source: "env SENTINEL_LAB_DOWN_AFTER"},
		{Key: "sentinels", Value: "5", Source: "flag --sentinels"},
		{Key: "quorum", Value: "3", Source: "default (a majority of 5 sentinels)"},
		{Key: "master-name", Value: "redis-master", Source: "default"},
		{Key: "password", Value: "(generated at the first render)", Source: "generated, to be kept in .sentinel-lab/password"},
	}
	for _, w := range want {
		if g := got[w.Key]; g.Value != w.Value || g.Source != w.Source {
			t.Errorf("%s: %q from %q, want %q from %q", w.Key, g.Value, g.Source, w.Value, w.Source)
		}
	}
	if g := got["replicas"]; g.Env != "SENTINEL_LAB_REPLICAS" || g.Flag != "--replicas" {
		t.Errorf("replicas: env %q flag %q", g.Env, g.Flag)
	}
	if g := got["subnet"]; !strings.HasSuffix(g.Value, ".0/24") || g.Source != "default, chosen automatically" {
		t.Errorf("subnet: %q from %q, want a /24 chosen automatically", g.Value, g.Source)
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Errorf("config wrote into the lab directory: %v", names)
	}
}

// Flags given to render are remembered: config shows them so, and the kept
// password masked unless asked for.
func TestConfigAfterRender(t *testing.T) {
	dir := labDir(t)
	if r := run(t, "render", "--dir", dir, "--port", "7000"); r.code != 0 {
		t.Fatalf("render: %s", r.errOut)
	}
	got := configJSON(t, "--dir", dir)
	if g := got["port"]; g.Value != "7000" || g.Source != "flag --port (remembered)" {
		t.Errorf("port: %q from %q, want 7000 remembered", g.Value, g.Source)
	}
	if g := got["sentinel-port"]; g.Value != "27000" {
		t.Errorf("sentinel-port %q, want 27000 (port+20000)", g.Value)
	}
	pw, err := os.ReadFile(filepath.Join(dir, ".sentinel-lab", "password"))
	if err != nil {
		t.Fatal(err)
	}
	if g := got["password"]; strings.Contains(g.Value, strings.TrimSpace(string(pw))) || g.Source != ".sentinel-lab/password" {
		t.Errorf("password: %q from %q, want it masked and kept", g.Value, g.Source)
	}
	if g := configJSON(t, "--dir", dir, "--show-secrets")["password"]; g.Value != strings.TrimSpace(string(pw)) {
		t.Errorf("--show-secrets printed %q, want the kept password", g.Value)
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"up", "--help"}, {"down", "-h"}, {"help", "status"}} {
		r := run(t, args...)
		if r.code != 0 || !strings.Contains(r.out, "Usage:") || r.errOut != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, r.code, r.out, r.errOut)
		}
	}
}
