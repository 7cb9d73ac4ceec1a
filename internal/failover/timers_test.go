package failover_test

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/fault"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/lab/labtest"
	"github.com/sentinel-lab/sentinel-lab/internal/probe/probetest"
	"github.com/sentinel-lab/sentinel-lab/internal/timers"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// pingPeriods is what every sentinel of the fake lab runs now.
func pingPeriods(fx *labtest.Lab) map[string]int64 {
	out := map[string]int64{}
	fx.Nodes.Now(func(s *probetest.State) {
		for _, n := range fx.Session.Lab.Topology.Sentinels() {
			out[n.Service] = s.Debug(n.Service, timers.PingPeriod)
		}
	})
	return out
}

func allAre(m map[string]int64, want int64) bool {
	for _, v := range m {
		if v != want {
			return false
		}
	}
	return len(m) > 0
}

func TestUpSetsFastTimersOnEverySentinel(t *testing.T) {
	fx := labtest.New(t, map[string]string{"timers": "fast"})
	if got := pingPeriods(fx); !allAre(got, 300) {
		t.Fatalf("after up --timers fast: ping-period %v, want 300 on every sentinel", got)
	}
	r, err := fx.Session.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Healthy || r.Timers != timers.Fast || r.Sentinels[0].Timers != timers.Fast {
		t.Errorf("status: healthy %v, timers %q, sentinel-1 %q; problems %v", r.Healthy, r.Timers, r.Sentinels[0].Timers, r.Problems)
	}
}

func TestNormalTimersLeaveTheDefaults(t *testing.T) {
	fx := labtest.New(t, nil)
	if got := pingPeriods(fx); !allAre(got, 1000) {
		t.Fatalf("after up: ping-period %v, want Sentinel's 1000", got)
	}
	for _, c := range fx.Nodes.Calls() {
		if strings.HasPrefix(c, "Do sentinel-") && strings.Contains(c, "DEBUG ") {
			t.Errorf("normal timers on a fresh lab set periods: %s", c)
		}
	}
}

// A sentinel restarted outside the lab (docker restart) comes back with
// the defaults: status says so and calls the lab unhealthy, and up sets
// the periods again.
func TestRestartedSentinelIsFoundByStatusAndFixedByUp(t *testing.T) {
	fx := labtest.New(t, map[string]string{"timers": "fast"})
	id := fx.Container(t, "sentinel-2").ID
	if err := fx.Engine.Stop(ctx, id, 0); err != nil {
		t.Fatal(err)
	}
	if err := fx.Engine.Start(ctx, id); err != nil {
		t.Fatal(err)
	}
	if got := pingPeriods(fx)["sentinel-2"]; got != 1000 {
		t.Fatalf("a restarted sentinel runs ping-period %d, want the default 1000 (the fake must model the restart)", got)
	}
	s := fx.NewSession()
	l, err := lab.Open(fx.Dir)
	if err != nil {
		t.Fatal(err)
	}
	s.Lab = l
	r, err := s.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Healthy || !strings.Contains(strings.Join(r.Problems, "\n"), "sentinel-2 (normal) do not run the lab's fast timers") {
		t.Errorf("status of a lab whose sentinel lost its timers: healthy %v, problems %v", r.Healthy, r.Problems)
	}
	res, err := fx.NewSession().Up(ctx, fx.Dir, l.Config, lab.UpOptions{Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if got := pingPeriods(fx); !allAre(got, 300) {
		t.Errorf("after up: ping-period %v, want 300 everywhere", got)
	}
	if fixed := res.Timers.Fixed(); len(fixed) != 1 || fixed[0] != "sentinel-2 (was normal)" {
		t.Errorf("up fixed %v, want sentinel-2 only", fixed)
	}
}

// A sentinel that revive starts again gets the lab's periods back, and
// kill-master sets them on one that restarted behind the lab's back.
func TestReviveAndKillMasterSetTimersAgain(t *testing.T) {
	fx := labtest.New(t, map[string]string{"timers": "fast"})
	n, _ := fx.Session.Lab.Topology.Node("sentinel-3")
	if _, err := fault.Apply(ctx, fx.Session, nodesOf(n), fault.Spec{Mode: fault.Kill}); err != nil {
		t.Fatal(err)
	}
	if _, err := failover.Revive(ctx, fx.Session, failover.ReviveOptions{Timeout: time.Minute}); err != nil {
		t.Fatal(err)
	}
	if got := pingPeriods(fx); !allAre(got, 300) {
		t.Errorf("after revive of a killed sentinel: ping-period %v, want 300 everywhere", got)
	}

	id := fx.Container(t, "sentinel-1").ID
	fx.Engine.Stop(ctx, id, 0)
	fx.Engine.Start(ctx, id)
	fx.SimulateSentinel(&labtest.Sentinel{})
	r, err := failover.KillMaster(ctx, fx.Session, failover.Options{Fault: fault.Spec{Mode: fault.Kill}, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if got := pingPeriods(fx)["sentinel-1"]; got != 300 || r.Timers != timers.Fast {
		t.Errorf("kill-master: sentinel-1 ping-period %d, report timers %q; want 300 and fast", got, r.Timers)
	}
}

// On a server without SENTINEL DEBUG, --timers fast is refused naming the
// version, before any file or container is made.
func TestFastTimersRefusedOnRedis62(t *testing.T) {
	fx := labtest.New(t, nil) // a running lab makes the fakes; a second dir is the one refused
	const img = "sentinel-lab/custom:1"
	fx.Engine.PullImage(ctx, img, nil)
	fx.Engine.OnRun(func(engine.ContainerSpec) (int, string) {
		return 0, "Redis server v=6.2.16 sha=00000000:0 malloc=libc bits=64 build=1\n"
	})
	dir := fx.Dir
	dir.Root += "-62"
	if err := os.MkdirAll(dir.Root, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := loadConfig(t, dir.Root, map[string]string{"name": "beta", "timers": "fast", "image": img})
	_, err := fx.NewSession().Up(ctx, dir, cfg, lab.UpOptions{Timeout: time.Minute})
	var te *lab.TimersError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "Redis 6.2.16") || !strings.Contains(err.Error(), "--timers normal") {
		t.Fatalf("up --timers fast on 6.2: %v; want a TimersError naming the version and the fix", err)
	}
	if list, _ := fx.Engine.Containers(ctx, lab.ProjectLabels("beta")); len(list) != 0 {
		t.Errorf("refused up created %d containers", len(list))
	}
	if entries, _ := os.ReadDir(dir.Root); len(entries) != 0 {
		t.Errorf("refused up wrote %d entries in the lab directory", len(entries))
	}
}

func nodesOf(n ...topology.Node) []topology.Node { return n }

func loadConfig(t *testing.T, dir string, flags map[string]string) *config.Config {
	t.Helper()
	cfg, err := config.Load(config.Layers{Dir: dir, Flags: flags, UID: 1000, GID: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// fault --for waits for the sentinels it started again to run the lab's
// periods, and says which do not when they never answer.
func TestWaitTimersNamesTheSentinelThatNeverAnswers(t *testing.T) {
	fx := labtest.New(t, map[string]string{"timers": "fast"})
	fx.Nodes.Now(func(s *probetest.State) { s.Down("sentinel-2") })
	err := fx.Session.WaitTimers(ctx, []string{"sentinel-2"}, 2*time.Second)
	if err == nil || !strings.Contains(err.Error(), "the sentinels do not run the lab's fast timers after 2s") || !strings.Contains(err.Error(), "sentinel-2") {
		t.Errorf("WaitTimers on a sentinel that never answers: %v", err)
	}
	fx.Nodes.Now(func(s *probetest.State) { s.Restart("sentinel-2") })
	if err := fx.Session.WaitTimers(ctx, []string{"sentinel-2"}, 2*time.Second); err != nil || pingPeriods(fx)["sentinel-2"] != 300 {
		t.Errorf("WaitTimers once it answers: %v, ping-period %d", err, pingPeriods(fx)["sentinel-2"])
	}
}
