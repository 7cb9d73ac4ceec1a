package lab

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// stallLogs makes every sentinel log, once started, what a stalled start
// looks like: the master flagged down, sentinel-3 trying and aborting a
// failover, the others voting for it and holding back until 20 s later.
func stallLogs(env *testEnv) time.Time {
	now := env.clock.Now()
	stamp := func(d time.Duration) string { return now.Add(d).Format("02 Jan 2006 15:04:05.000") }
	until := now.Add(20 * time.Second).Truncate(time.Second)
	for _, s := range []string{"sentinel-1", "sentinel-2", "sentinel-3"} {
		log := fmt.Sprintf("1:X %s # +sdown master redis-master 172.28.0.10 6379\n", stamp(time.Millisecond))
		if s == "sentinel-3" {
			log += fmt.Sprintf("1:X %s # +new-epoch 1\n1:X %s # +try-failover master redis-master 172.28.0.10 6379\n1:X %s # -failover-abort-no-good-slave master redis-master 172.28.0.10 6379\n",
				stamp(2*time.Millisecond), stamp(2*time.Millisecond), stamp(3*time.Millisecond))
		} else {
			log += fmt.Sprintf("1:X %s # Next failover delay: I will not start a failover before %s\n", stamp(4*time.Millisecond), until.Format("Mon Jan _2 15:04:05 2006"))
		}
		env.eng.AppendOnStart(s, "/logs/sentinel.log", []byte(log))
	}
	return until
}

func TestUpSaysWhatTroubleTheSentinelsHad(t *testing.T) {
	cases := []struct {
		policy Trouble
		wait   bool
		err    string
	}{
		{TroubleWait, true, ""},
		{TroubleReport, false, ""},
		{TroubleFail, false, "sentinel-3 started and aborted a failover (-failover-abort-no-good-slave) at epoch 1"},
	}
	for _, c := range cases {
		env := newTestEnv(healthy)
		dir := mkdir(t, newDir(t))
		until := stallLogs(env)

		res, err := env.Up(ctx, dir, loadConfig(t, dir, nil), UpOptions{Timeout: time.Minute, Trouble: c.policy})

		var te *TroubleError
		if c.err != "" {
			if !errors.As(err, &te) || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "will not start another failover before") {
				t.Errorf("%s: got %v", c.policy, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.policy, err)
		}
		if res.Trouble == nil || len(res.Trouble.Attempts) != 1 || !res.Trouble.HeldUntil.Equal(until) {
			t.Errorf("%s: trouble %+v", c.policy, res.Trouble)
		}
		if waited := res.TroubleWaited > 0; waited != c.wait || (c.wait && !env.clock.Now().Equal(until)) {
			t.Errorf("%s: waited %v, clock at %v, until %v", c.policy, res.TroubleWaited, env.clock.Now(), until)
		}
	}
}

// A start where the sentinels only watched says nothing about trouble.
func TestUpOfAQuietStartHasNoTrouble(t *testing.T) {
	env := newTestEnv(healthy)
	dir := mkdir(t, newDir(t))
	if res := env.up(t, dir, nil); res.Trouble != nil || res.TroubleWaited != 0 {
		t.Errorf("trouble %+v", res.Trouble)
	}
	if _, err := ParseTrouble("panic"); err == nil || !strings.Contains(err.Error(), "use --trouble wait") {
		t.Errorf("bad policy: %v", err)
	}
}
