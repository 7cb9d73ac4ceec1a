package lab

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
)

func TestForeignOverlap(t *testing.T) {
	nets := []engine.Network{
		{Name: "bridge", Subnets: []netip.Prefix{mustPrefix("172.17.0.0/16")}},
		{Name: "alpha_lab", Subnets: []netip.Prefix{mustPrefix("172.28.5.0/24")}, Labels: map[string]string{engine.LabelProject: "alpha"}},
		{Name: "beta_lab", Subnets: []netip.Prefix{mustPrefix("10.1.0.0/24"), mustPrefix("172.29.0.0/24")},
			Labels: map[string]string{engine.LabelProject: "beta"}},
		{Name: "none"},
	}
	cases := []struct {
		project, subnet, want string
	}{
		{"alpha", "172.28.5.0/24", ""}, // the lab's own network
		{"gamma", "172.28.5.0/24", "alpha_lab (172.28.5.0/24)"},
		{"alpha", "172.17.3.0/24", "bridge (172.17.0.0/16)"},   // inside a wider network
		{"alpha", "172.29.0.0/24", "beta_lab (172.29.0.0/24)"}, // a second subnet
		{"alpha", "172.30.0.0/24", ""},
	}
	for _, c := range cases {
		if got := foreignOverlap(nets, c.project, mustPrefix(c.subnet)); got != c.want {
			t.Errorf("foreignOverlap(%s, %s) = %q, want %q", c.project, c.subnet, got, c.want)
		}
	}
}

var subnetPool14 = mustPrefix("172.28.0.0/14")

func TestChooseSubnet(t *testing.T) {
	first, err := chooseSubnet("alpha", nil)
	if err != nil {
		t.Fatal(err)
	}
	if first.Bits() != 24 || !subnetPool14.Contains(first.Addr()) || first.Masked() != first {
		t.Errorf("chose %v, want a /24 in %v", first, subnetPool14)
	}
	if again, _ := chooseSubnet("alpha", nil); again != first {
		t.Errorf("chose %v then %v for the same name", first, again)
	}

	// Taken subnets are skipped, and the whole pool is searched.
	next, err := chooseSubnet("alpha", func(p netip.Prefix) bool { return p == first })
	if err != nil || next == first || !subnetPool14.Contains(next.Addr()) {
		t.Errorf("with %v taken chose %v (%v), want another /24 of the pool", first, next, err)
	}
	last := mustPrefix("172.31.255.0/24")
	only, err := chooseSubnet("alpha", func(p netip.Prefix) bool { return p != last })
	if err != nil || only != last {
		t.Errorf("with all but %v taken chose %v (%v)", last, only, err)
	}
	seen := map[netip.Prefix]bool{}
	tried := 0
	_, err = chooseSubnet("alpha", func(p netip.Prefix) bool { seen[p] = true; tried++; return true })
	if err == nil || !strings.Contains(err.Error(), "--subnet") {
		t.Errorf("with every subnet taken got %v, want an error pointing to --subnet", err)
	}
	if tried != 1024 || len(seen) != 1024 {
		t.Errorf("tried %d subnets (%d distinct), want each of the pool's 1024 once", tried, len(seen))
	}

	// Labs side by side start from different places.
	starts := map[netip.Prefix]bool{}
	for i := range 20 {
		p, _ := chooseSubnet(fmt.Sprintf("lab-%d", i), nil)
		starts[p] = true
	}
	if len(starts) < 10 {
		t.Errorf("20 lab names start at only %d subnets; the start should depend on the name", len(starts))
	}
}

func TestResolveSubnet(t *testing.T) {
	dir := mkdir(t, newDir(t))
	auto := loadConfig(t, dir, nil)
	taken := func(p netip.Prefix) bool { return true }

	// A lab never rendered chooses; one rendered keeps what it chose, even
	// if the chooser would now pick another.
	st := labdir.State{}
	chosen, err := resolveSubnet(dir, auto, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	st.Subnet = "172.30.9.0/24"
	if got, err := resolveSubnet(dir, auto, st, taken); err != nil || got != mustPrefix("172.30.9.0/24") {
		t.Errorf("remembered subnet: got %v, %v; want 172.30.9.0/24", got, err)
	}
	if chosen == mustPrefix("172.30.9.0/24") {
		t.Fatal("test needs a remembered subnet other than the chosen one")
	}

	// A given subnet differing from the remembered one is fine until confs
	// were rendered with the old addresses.
	given := loadConfig(t, dir, map[string]string{"subnet": "172.28.6.0/24"})
	if got, err := resolveSubnet(dir, given, st, nil); err != nil || got != mustPrefix("172.28.6.0/24") {
		t.Errorf("no confs yet: got %v, %v; want the given subnet", got, err)
	}
	l, err := Resolve(dir, loadConfig(t, dir, map[string]string{"subnet": "172.28.5.0/24"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Render(nil); err != nil {
		t.Fatal(err)
	}
	st, _ = dir.ReadState()
	_, err = resolveSubnet(dir, given, st, nil)
	if err == nil || !strings.Contains(err.Error(), "subnet 172.28.6.0/24 differs from 172.28.5.0/24") ||
		!strings.Contains(err.Error(), "down --volumes") {
		t.Errorf("got %v, want the conflict named with the fix", err)
	}
	same := loadConfig(t, dir, map[string]string{"subnet": "172.28.5.0/24"})
	if got, err := resolveSubnet(dir, same, st, nil); err != nil || got != mustPrefix("172.28.5.0/24") {
		t.Errorf("the remembered subnet given again: got %v, %v", got, err)
	}
}

func TestOpenWithoutALab(t *testing.T) {
	dir := mkdir(t, newDir(t))
	_, err := Open(dir)
	var nl *NoLabError
	if !errors.As(err, &nl) || !errors.Is(err, ErrNoLab) || nl.Dir != dir.Root {
		t.Fatalf("got %v, want a NoLabError for %s", err, dir.Root)
	}
	if !strings.Contains(err.Error(), "sentinel-lab up") {
		t.Errorf("error %q does not say what to do", err)
	}
}

func TestOpenReadsTheRenderedLab(t *testing.T) {
	dir := mkdir(t, newDir(t))
	l, err := Resolve(dir, loadConfig(t, dir, map[string]string{"replicas": "4", "port": "7000"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Render(nil); err != nil {
		t.Fatal(err)
	}

	o, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if o.Password != l.Password || o.Topology.Subnet != l.Topology.Subnet || o.Config.Replicas != 4 ||
		o.Config.Port != 7000 || o.Image != "redis:7.2" || len(o.Topology.Nodes) != len(l.Topology.Nodes) {
		t.Errorf("opened %+v, want the lab as rendered (%+v)", o, l)
	}

	if err := os.Remove(dir.PasswordFile()); err != nil {
		t.Fatal(err)
	}
	_, err = Open(dir)
	if err == nil || !strings.Contains(err.Error(), ".sentinel-lab/password is missing") ||
		!strings.Contains(err.Error(), "down --volumes") {
		t.Errorf("got %v, want the missing password file named with the fix", err)
	}
}

func TestOpenWithoutAuthNeedsNoPassword(t *testing.T) {
	dir := mkdir(t, newDir(t))
	l, err := Resolve(dir, loadConfig(t, dir, map[string]string{"no-auth": "true"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Render(nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir.PasswordFile()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a lab without auth keeps a password file (%v)", err)
	}
	o, err := Open(dir)
	if err != nil || o.Password != "" || o.Config.Auth {
		t.Errorf("got %+v, %v; want the lab open without a password", o, err)
	}
}

// A password is generated once, kept only when the lab is rendered, and
// reused afterwards.
func TestGeneratedPassword(t *testing.T) {
	dir := mkdir(t, newDir(t))
	l, err := Resolve(dir, loadConfig(t, dir, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(l.Password) || !l.PasswordPending() {
		t.Errorf("password %q pending %v, want 32 hex digits pending", l.Password, l.PasswordPending())
	}
	if _, err := os.Stat(dir.PasswordFile()); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Resolve wrote the password file (%v)", err)
	}
	if _, err := l.Render(nil); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(dir.PasswordFile())
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("password file %v (%v), want mode 0600", info, err)
	}
	kept, _ := dir.ReadPassword()
	if kept != l.Password {
		t.Errorf("kept %q, want %q", kept, l.Password)
	}
	again, err := Resolve(dir, loadConfig(t, dir, nil), nil)
	if err != nil || again.Password != l.Password || again.PasswordPending() {
		t.Errorf("second resolve: password %q pending %v (%v), want the kept one", again.Password, again.PasswordPending(), err)
	}
	conf, _ := os.ReadFile(dir.Path("data", "master", "data", "redis.conf"))
	if !strings.Contains(string(conf), `requirepass "`+l.Password+`"`) {
		t.Errorf("redis.conf does not hold the kept password")
	}
}

func TestConfiguredPassword(t *testing.T) {
	dir := mkdir(t, newDir(t))
	t.Run("before any conf, it replaces the kept one", func(t *testing.T) {
		if err := dir.WritePassword("old-one"); err != nil {
			t.Fatal(err)
		}
		cfg := loadConfig(t, dir, nil)
		cfg.Password = "from-env"
		l, err := Resolve(dir, cfg, nil)
		if err != nil || l.Password != "from-env" {
			t.Fatalf("got %v (%v), want the configured password", l, err)
		}
		if _, err := l.Render(nil); err != nil {
			t.Fatal(err)
		}
		if kept, _ := dir.ReadPassword(); kept != "from-env" {
			t.Errorf("kept %q, want the configured password, which the confs now hold", kept)
		}
	})
	t.Run("once confs hold it, a different one is refused", func(t *testing.T) {
		cfg := loadConfig(t, dir, nil)
		cfg.Password = "another"
		_, err := Resolve(dir, cfg, nil)
		if err == nil || !strings.Contains(err.Error(), "differs from the one this lab's confs were rendered with") ||
			!strings.Contains(err.Error(), ".sentinel-lab/password") {
			t.Errorf("got %v, want the conflict named", err)
		}
	})
	t.Run("the same one is accepted", func(t *testing.T) {
		cfg := loadConfig(t, dir, nil)
		cfg.Password = "from-env"
		l, err := Resolve(dir, cfg, nil)
		if err != nil || l.Password != "from-env" || l.PasswordPending() {
			t.Errorf("got %v (%v)", l, err)
		}
	})
}

// A setting rendered into confs that changes later is not applied to the
// kept confs: render says so, naming the old and new value and the fix.
func TestRenderNotesSettingsKeptConfsDoNotReflect(t *testing.T) {
	dir := mkdir(t, newDir(t))
	render := func(flags map[string]string) []string { t.Helper(); return renderNotes(t, dir, flags) }
	if notes := render(nil); len(notes) > 0 {
		t.Errorf("first render notes %q", notes)
	}
	if notes := render(nil); len(notes) > 0 {
		t.Errorf("render with nothing changed notes %q", notes)
	}
	notes := render(map[string]string{"down-after": "1000", "image": "redis:7.4"})
	if len(notes) != 1 || !strings.HasPrefix(notes[0], "down-after changed from 3s to 1s, but the existing confs under data/ keep 3s") ||
		!strings.Contains(notes[0], "down --volumes") {
		t.Errorf("notes %q, want one on down-after (the image is no conf setting)", notes)
	}
	// The flag is remembered: the next render without it keeps 1s.
	st, _ := dir.ReadState()
	if st.Flags["down-after"] != "1000" || st.Config["down-after"] != "1s" {
		t.Errorf("state flags %v, config down-after %q; want the flag remembered", st.Flags, st.Config["down-after"])
	}
	// The kept confs still hold 3s, so every render keeps saying so ...
	if notes := render(nil); len(notes) != 1 || !strings.HasPrefix(notes[0], "down-after changed from 3s to 1s") {
		t.Errorf("the next render notes %q; the confs still hold 3s", notes)
	}
	// ... until the confs are rendered afresh.
	if err := os.RemoveAll(dir.Path("data")); err != nil {
		t.Fatal(err)
	}
	if notes := render(nil); len(notes) > 0 {
		t.Errorf("render with fresh confs notes %q", notes)
	}
	if notes := render(nil); len(notes) > 0 {
		t.Errorf("render after fresh confs notes %q", notes)
	}
}

// renderNotes renders the lab in dir under flags, remembering them as up
// does, and returns the notes.
func renderNotes(t *testing.T, dir labdir.Dir, flags map[string]string) []string {
	t.Helper()
	l, err := Resolve(dir, loadConfig(t, dir, flags), nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := l.Render(flags)
	if err != nil {
		t.Fatal(err)
	}
	return res.Notes
}
