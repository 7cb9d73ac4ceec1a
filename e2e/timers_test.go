package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/timers"
)

// sentinelDebug is what `SENTINEL DEBUG` without arguments lists on a
// sentinel, asked with redis-cli in its container: the periods it runs.
func (l *Lab) sentinelDebug(service string) map[string]int64 {
	l.t.Helper()
	out := l.must("cli", service, "SENTINEL", "DEBUG").stdout
	fields := strings.Fields(out)
	got := map[string]int64{}
	for i := 0; i+1 < len(fields); i += 2 {
		v, err := strconv.ParseInt(fields[i+1], 10, 64)
		if err != nil {
			l.t.Fatalf("%s: SENTINEL DEBUG printed %q", service, out)
		}
		got[strings.ToLower(fields[i])] = v
	}
	return got
}

// checkTimers checks that every sentinel runs mode's periods, as the
// sentinels themselves list them.
func checkTimers(t *testing.T, l *Lab, mode timers.Mode, when string) {
	t.Helper()
	for _, svc := range []string{"sentinel-1", "sentinel-2", "sentinel-3"} {
		got := l.sentinelDebug(svc)
		for _, s := range mode.Settings() {
			if got[s.Option] != s.MS {
				t.Errorf("%s: %s runs %s %d ms, want %d (%s timers)", when, svc, s.Option, got[s.Option], s.MS, mode)
			}
		}
	}
}

// A lab on fast timers fails over and gets its periods back on every
// sentinel that restarts: revived after a kill, started again by fault
// --for, or restarted behind the lab's back (status says so, up fixes it).
func TestFastTimers(t *testing.T) {
	l := newLab(t)
	l.up()
	checkTimers(t, l, timers.Fast, "after up")
	if st := l.status(); st.Timers != timers.Fast || st.Sentinels[0].Timers != timers.Fast {
		t.Errorf("status says timers %q, sentinel-1 %q; want fast", st.Timers, st.Sentinels[0].Timers)
	}

	r := l.killMaster()
	checkFailover(t, r, "master")
	if r.Timers != timers.Fast {
		t.Errorf("the failover report says timers %q, want fast", r.Timers)
	}
	checkRevived(t, l, l.revive(), r.OldMaster.Service, r.NewMaster.Service)

	l.must("fault", "sentinel-2", "--mode", "kill")
	l.revive()
	checkTimers(t, l, timers.Fast, "after revive of a killed sentinel")

	l.must("fault", "sentinel-3", "--mode", "stop", "--for", "1s")
	checkTimers(t, l, timers.Fast, "after fault --for of a stopped sentinel")

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := l.container("sentinel-1")
	if err := l.Eng.Stop(ctx, c.ID, time.Second); err != nil {
		t.Fatal(err)
	}
	if err := l.Eng.Start(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	// Once it answers, status calls the lab unhealthy for it (exit 3).
	var res result
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if res = l.run("status", "--check", "-o", "json"); strings.Contains(res.stdout, "do not run the lab's fast timers") {
			break
		}
	}
	if res.code != 3 || !strings.Contains(res.stdout, `sentinel-1 (normal) do not run the lab's fast timers`) {
		t.Errorf("status --check of a lab whose sentinel-1 restarted by hand: exit %d\n%s", res.code, res.stdout)
	}
	l.up()
	checkTimers(t, l, timers.Fast, "after up on a lab whose sentinel restarted")
}
