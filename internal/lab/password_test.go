package lab

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/probe/probetest"
)

// hostilePassword is what a hand-edited .sentinel-lab/password held in
// issue 17: a quote and newlines that would add an ACL user to every conf.
const hostilePassword = "abc\"\nuser evil on nopass ~* &* +@all\n#"

// A password file is refused by the same rule, and with the same message,
// as a password from the environment or sentinel-lab.yaml, before anything
// is written; the message names the file.
func TestPasswordFileIsValidatedLikeEveryOtherSource(t *testing.T) {
	dir := mkdir(t, newDir(t))
	if err := dir.WritePassword(hostilePassword); err != nil {
		t.Fatal(err)
	}
	_, err := Resolve(dir, loadConfig(t, dir, nil), nil)
	if err == nil {
		t.Fatal("a password file with quotes and newlines was accepted")
	}
	rule := config.PasswordProblem(hostilePassword)
	if rule == "" || !strings.Contains(err.Error(), rule) || !strings.Contains(err.Error(), ".sentinel-lab/password") {
		t.Errorf("got %v\nwant the rule %q naming .sentinel-lab/password", err, rule)
	}
	if _, statErr := os.Stat(dir.ComposeFile()); statErr == nil {
		t.Error("something was rendered with a refused password")
	}

	// The environment's password is refused with the same message.
	_, envErr := config.Load(config.Layers{Dir: dir.Root, UID: 1000, GID: 1000,
		Env: func(k string) (string, bool) { return hostilePassword, k == "SENTINEL_LAB_PASSWORD" }})
	if envErr == nil || !strings.Contains(envErr.Error(), rule) {
		t.Errorf("env password: got %v, want %q", envErr, rule)
	}

	// Commands that open a rendered lab (status, kill-master, cli, ...)
	// never log in with it either.
	ok := mkdir(t, newDir(t))
	l, err := Resolve(ok, loadConfig(t, ok, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Render(nil); err != nil {
		t.Fatal(err)
	}
	if err := ok.WritePassword(hostilePassword); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ok); err == nil || !strings.Contains(err.Error(), rule) || !strings.Contains(err.Error(), ".sentinel-lab/password") {
		t.Errorf("Open: got %v, want the rule naming .sentinel-lab/password", err)
	}
}

// Every character a redis.conf line could be split or ended at is refused,
// whichever layer the password comes from.
func TestPasswordRule(t *testing.T) {
	for _, pw := range []string{"a b", "a\tb", "a\"b", "a'b", `a\b`, "a\nb", "a\rb", "a\vb", "a\fb", "a\x00b", "a\x7fb"} {
		if config.PasswordProblem(pw) == "" {
			t.Errorf("%q accepted", pw)
		}
	}
	for _, pw := range []string{"0123abcdef", "S3cret-pass_!#$%&()*+,./:;<=>?@[]^`{|}~"} {
		if p := config.PasswordProblem(pw); p != "" {
			t.Errorf("%q refused: %s", pw, p)
		}
	}
}

// `config` names where the password really comes from.
func TestPasswordSource(t *testing.T) {
	dir := mkdir(t, newDir(t))
	l, err := Resolve(dir, loadConfig(t, dir, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := l.PasswordSource(); got != "generated, to be kept in .sentinel-lab/password" {
		t.Errorf("before the first render: %q", got)
	}
	if _, err := l.Render(nil); err != nil {
		t.Fatal(err)
	}
	again, err := Resolve(dir, loadConfig(t, dir, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := again.PasswordSource(); got != ".sentinel-lab/password" {
		t.Errorf("after render: %q, want the file it is read from", got)
	}

	// An empty SENTINEL_LAB_PASSWORD sets nothing, so it is not the source.
	cfg, err := config.Load(config.Layers{Dir: dir.Root, UID: 1000, GID: 1000,
		Env: func(k string) (string, bool) { return "", k == "SENTINEL_LAB_PASSWORD" }})
	if err != nil {
		t.Fatal(err)
	}
	empty, err := Resolve(dir, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := empty.PasswordSource(); got != ".sentinel-lab/password" || empty.Password != again.Password {
		t.Errorf("with an empty SENTINEL_LAB_PASSWORD: source %q, password kept %v", got, empty.Password == again.Password)
	}
}

// Issue 17: up waited its whole timeout on WRONGPASS without naming the
// file. A node that refuses the lab password fails up at once, naming it.
func TestUpFailsAtOnceOnWRONGPASS(t *testing.T) {
	env := newTestEnv(func(f *probetest.Fake) {
		f.Now(func(s *probetest.State) {
			s.Info("node-1", func(ni *probe.NodeInfo) {
				*ni = probe.NodeInfo{Service: ni.Service, Error: "WRONGPASS invalid username-password pair or user is disabled."}
			})
		})
	})
	dir := mkdir(t, newDir(t))

	_, err := env.Up(ctx, dir, loadConfig(t, dir, nil), UpOptions{Timeout: time.Hour})

	if err == nil || !strings.Contains(err.Error(), "node-1 refuses the lab password (WRONGPASS): its conf under data/ holds another one") || !strings.Contains(err.Error(), ".sentinel-lab/password") {
		t.Errorf("got %v", err)
	}
	if env.clock.Waits() != 0 {
		t.Errorf("waited %d intervals on a password that will not change", env.clock.Waits())
	}
}
