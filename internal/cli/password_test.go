package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/cli"
)

// Issue 17: a hand-written .sentinel-lab/password holding a quote and
// newlines rendered an ACL user into every conf. render must refuse it,
// naming the file, and write no conf.
func TestRenderRefusesAHostilePasswordFile(t *testing.T) {
	dir := labDir(t)
	if err := os.MkdirAll(filepath.Join(dir, ".sentinel-lab"), 0o700); err != nil {
		t.Fatal(err)
	}
	hostile := "abc\"\nuser evil on nopass ~* &* +@all\n#\n"
	if err := os.WriteFile(filepath.Join(dir, ".sentinel-lab", "password"), []byte(hostile), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := run(&cli.Factory{}, "render", "--dir", dir, "--name", "hostile")
	if err == nil || !strings.Contains(err.Error(), ".sentinel-lab/password") || !strings.Contains(err.Error(), "cannot hold safely") {
		t.Errorf("render: %v, want the password file refused by name", err)
	}
	confs, _ := filepath.Glob(filepath.Join(dir, "data", "*", "data", "*.conf"))
	for _, c := range confs {
		b, _ := os.ReadFile(c)
		if strings.Contains(string(b), "user evil") {
			t.Errorf("%s holds the injected ACL user", c)
		}
	}
	if len(confs) > 0 {
		t.Errorf("render wrote %d confs with a refused password", len(confs))
	}
}

// `config` names where the password comes from; an empty
// SENTINEL_LAB_PASSWORD sets nothing and is not named.
func TestConfigNamesThePasswordSource(t *testing.T) {
	dir := labDir(t)
	if _, errOut, err := run(&cli.Factory{}, "render", "--dir", dir, "--name", "src"); err != nil {
		t.Fatalf("render: %v %s", err, errOut)
	}
	t.Setenv("SENTINEL_LAB_PASSWORD", "")
	out, _, err := run(&cli.Factory{}, "config", "--dir", dir)
	if err != nil {
		t.Fatal(err)
	}
	var line string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "password") {
			line = l
		}
	}
	if strings.Contains(line, "SENTINEL_LAB_PASSWORD") || !strings.Contains(line, ".sentinel-lab/password") {
		t.Errorf("config says %q, want the password file as the source", line)
	}
}
