package timers_test

import (
	"context"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/probe/probetest"
	"github.com/sentinel-lab/sentinel-lab/internal/timers"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
	"github.com/sentinel-lab/sentinel-lab/internal/wait/waittest"
)

var ctx = context.Background()

// on adapts the fake to timers.Do, as the lab adapts its nodes.
func on(f *probetest.Fake, lab *topology.Lab) timers.Do {
	return func(ctx context.Context, service string, args ...any) (any, error) {
		n, _ := lab.Node(service)
		return f.Do(ctx, n, args...)
	}
}

func names(lab *topology.Lab) []string {
	var out []string
	for _, n := range lab.Sentinels() {
		out = append(out, n.Service)
	}
	return out
}

func fake(t *testing.T) (*probetest.Fake, *topology.Lab) {
	t.Helper()
	cfg, err := config.Load(config.Layers{Dir: "/labs/t", UID: 1000, GID: 1000})
	if err != nil {
		t.Fatal(err)
	}
	lab := topology.New(cfg, netip.MustParsePrefix("172.28.9.0/24"))
	return probetest.New(lab, waittest.NewClock()), lab
}

func TestParse(t *testing.T) {
	for in, want := range map[string]timers.Mode{"": timers.Normal, "normal": timers.Normal, "FAST": timers.Fast, " fast ": timers.Fast} {
		if got, err := timers.Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	_, err := timers.Parse("quick")
	if err == nil || !strings.Contains(err.Error(), `"quick"`) || !strings.Contains(err.Error(), "--timers fast") {
		t.Errorf("Parse(quick) = %v; want an error naming the value and the fix", err)
	}
}

// The fast periods keep the bounds sentinel.c sets: replica INFO must be
// fresher than 5 x ping-period while replicas get INFO every second, and
// the rejoin of an old master waits 4 x publish-period.
func TestFastRespectsSentinelRules(t *testing.T) {
	v := map[string]int64{}
	for _, s := range timers.Fast.Settings() {
		v[s.Option] = s.MS
	}
	if 5*v[timers.PingPeriod] <= 1000+300 {
		t.Errorf("5 x ping-period = %d ms leaves no margin over the 1 s INFO cadence of replicas", 5*v[timers.PingPeriod])
	}
	if v[timers.InfoPeriod] <= 0 || v[timers.PublishPeriod] <= 0 {
		t.Errorf("every period must be > 0: %v", v)
	}
	// A short ask-period lets every sentinel start its election at the
	// same moment: a split vote, and 2 x failover-timeout before a retry.
	if _, ok := v[timers.AskPeriod]; ok {
		t.Errorf("fast sets ask-period %d ms; it must keep Sentinel's own", v[timers.AskPeriod])
	}
	normal := map[string]int64{}
	for _, s := range timers.Normal.Settings() {
		normal[s.Option] = s.MS
	}
	for k, fv := range v {
		if nv, ok := normal[k]; !ok || fv >= nv {
			t.Errorf("%s: fast %d ms is not shorter than normal %v ms", k, fv, nv)
		}
	}
}

func TestEnsureSetsAndReads(t *testing.T) {
	f, lab := fake(t)
	before := timers.Read(ctx, on(f, lab), names(lab), timers.Fast)
	if w := before.Wrong(); len(w) != 3 || !strings.Contains(w[0], "(normal)") {
		t.Fatalf("a fresh lab runs normal timers; Wrong() = %v", w)
	}
	r := timers.Ensure(ctx, on(f, lab), names(lab), timers.Fast)
	if len(r.Wrong()) != 0 || len(r.Fixed()) != 3 {
		t.Fatalf("Ensure fast: wrong %v, fixed %v", r.Wrong(), r.Fixed())
	}
	f.Now(func(s *probetest.State) {
		if got := s.Debug("sentinel-2", "ping-period"); got != 300 {
			t.Errorf("sentinel-2 ping-period = %d after Ensure fast, want 300", got)
		}
		if got := s.Debug("sentinel-2", "tilt-trigger"); got != 2000 {
			t.Errorf("tilt-trigger = %d, fast timers must leave it at 2000", got)
		}
	})
	again := timers.Ensure(ctx, on(f, lab), names(lab), timers.Fast)
	if len(again.Fixed()) != 0 {
		t.Errorf("a second Ensure set %v again; it should only read", again.Fixed())
	}
	// Back to normal: the defaults are set again, not left fast.
	back := timers.Ensure(ctx, on(f, lab), names(lab), timers.Normal)
	if len(back.Fixed()) != 3 || back.Sentinels[0].Was != timers.Fast {
		t.Errorf("Ensure normal on a fast lab: %+v", back)
	}
}

func TestRestartedSentinelIsFoundAndFixed(t *testing.T) {
	f, lab := fake(t)
	timers.Ensure(ctx, on(f, lab), names(lab), timers.Fast)
	f.Now(func(s *probetest.State) { s.Down("sentinel-3") })
	r := timers.Ensure(ctx, on(f, lab), names(lab), timers.Fast)
	if u := r.Unanswered(); !reflect.DeepEqual(u, []string{"sentinel-3"}) {
		t.Errorf("Unanswered = %v, want sentinel-3", u)
	}
	f.Now(func(s *probetest.State) { s.Restart("sentinel-3") })
	read := timers.Read(ctx, on(f, lab), names(lab), timers.Fast)
	if w := read.Wrong(); !reflect.DeepEqual(w, []string{"sentinel-3 (normal)"}) {
		t.Errorf("after a restart Wrong() = %v, want sentinel-3 (normal)", w)
	}
	fixed := timers.Ensure(ctx, on(f, lab), names(lab), timers.Fast)
	if got := fixed.Fixed(); !reflect.DeepEqual(got, []string{"sentinel-3 (was normal)"}) {
		t.Errorf("Fixed() = %v, want only sentinel-3", got)
	}
}

func TestNoSentinelDebug(t *testing.T) {
	f, lab := fake(t)
	f.Now(func(s *probetest.State) { s.Server("Redis 6.2.16") })
	r := timers.Ensure(ctx, on(f, lab), names(lab), timers.Normal)
	if len(r.Wrong()) != 0 || len(r.Unanswered()) != 0 {
		t.Errorf("normal timers on 6.2 are Sentinel's own: wrong %v, unanswered %v", r.Wrong(), r.Unanswered())
	}
	r = timers.Ensure(ctx, on(f, lab), names(lab), timers.Fast)
	if w := r.Wrong(); len(w) != 3 || !strings.Contains(w[0], "no SENTINEL DEBUG") {
		t.Errorf("fast on 6.2: Wrong() = %v", w)
	}
}

func TestParseReply(t *testing.T) {
	v, err := timers.ParseReply([]any{"INFO-PERIOD", int64(500), "PING-PERIOD", "300"})
	if err != nil || v["info-period"] != 500 || v["ping-period"] != 300 {
		t.Errorf("ParseReply = %v, %v", v, err)
	}
	if _, err := timers.ParseReply([]any{"INFO-PERIOD"}); err == nil {
		t.Error("an odd list must be refused")
	}
	if _, err := timers.ParseReply("OK"); err == nil {
		t.Error("a string reply must be refused")
	}
}
