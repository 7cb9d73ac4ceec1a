package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/load"
	"github.com/sentinel-lab/sentinel-lab/internal/soak"
)

// loadReport runs kill-master with the client writer and returns the
// report with its load section.
func (l *Lab) loadReport(args ...string) (failover.Report, load.Result) {
	l.t.Helper()
	out := l.must(append([]string{"kill-master", "--load", "-o", "json"}, args...)...).stdout
	var r struct {
		failover.Report
		Load load.Result `json:"load"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		l.t.Fatalf("kill-master --load -o json: %v\n%s", err, out)
	}
	return r.Report, r.Load
}

// reviveSplitBrain revives and returns what the old master dropped.
func (l *Lab) reviveSplitBrain() *load.Dropped {
	l.t.Helper()
	out := l.must("revive", "-o", "json").stdout
	var r struct {
		SplitBrain *load.Dropped `json:"split_brain"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		l.t.Fatalf("revive -o json: %v\n%s", err, out)
	}
	return r.SplitBrain
}

// kill-master --load: a sentinel-aware client writes through the failover;
// the report says what it attempted, what was acknowledged, the outage and
// the acknowledged writes the new master lacks.
func TestKillMasterWithLoad(t *testing.T) {
	l := newLab(t)
	l.up()
	rep, res := l.loadReport("--wait-replicas", "1")
	if res.Attempted == 0 || res.Acked == 0 || res.Attempted != res.Acked+res.Failed {
		t.Errorf("writes: attempted %d, acked %d, failed %d", res.Attempted, res.Acked, res.Failed)
	}
	// The client cannot write to a new master before the sentinels name one.
	if res.OutageMS < rep.DownAfterMS || res.OutageEndMS < rep.FailoverMS-50 {
		t.Errorf("outage %d ms ending at %d, with down-after %d and failover at %d", res.OutageMS, res.OutageEndMS, rep.DownAfterMS, rep.FailoverMS)
	}
	if res.WaitReplicas != 1 || len(res.Series) == 0 || res.LostRanges == nil {
		t.Errorf("load section incomplete: %s", describe(res))
	}
	text := l.must("kill-master", "--load").stdout
	for _, want := range []string{"Client writes (go-redis FailoverClient", "outage:", "lost acknowledged writes:"} {
		if !strings.Contains(text, want) {
			t.Errorf("text report lacks %q:\n%s", want, text)
		}
	}
}

// A partition: the isolated old master keeps acknowledging writes from a
// client on its side, and drops them when it rejoins. With
// min-replicas-to-write 1 it refuses writes once its replicas are gone, so
// it acknowledges, and loses, fewer.
func TestSplitBrainLossAndItsBound(t *testing.T) {
	partition := func(t *testing.T, extra ...string) (load.Result, *load.Dropped) {
		l := newLab(t, extra...)
		l.up()
		_, res := l.loadReport("--mode", "disconnect")
		if res.Isolated == nil {
			t.Fatalf("no isolated writer in a partition: %s", describe(res))
		}
		dropped := l.reviveSplitBrain()
		if dropped == nil {
			t.Fatal("revive did not count what the old master dropped")
		}
		return res, dropped
	}
	var open, bounded *load.Dropped
	t.Run("without min-replicas-to-write", func(t *testing.T) {
		res, d := partition(t)
		if res.Isolated.Acked == 0 || res.Isolated.Refused != 0 {
			t.Errorf("isolated old master acknowledged %d and refused %d", res.Isolated.Acked, res.Isolated.Refused)
		}
		if d.Lost == 0 || d.Lost != d.Acked {
			t.Errorf("dropped %d of %d acknowledged writes; the rejoined old master keeps none of them", d.Lost, d.Acked)
		}
		open = d
	})
	t.Run("with min-replicas-to-write 1", func(t *testing.T) {
		res, d := partition(t, "--min-replicas-to-write", "1", "--min-replicas-max-lag", "1s")
		if res.Isolated.Refused == 0 {
			t.Errorf("the isolated old master never refused a write (NOREPLICAS): %s", describe(res.Isolated))
		}
		bounded = d
	})
	if open != nil && bounded != nil && bounded.Lost >= open.Lost {
		t.Errorf("min-replicas-to-write did not bound the loss: %d lost with it, %d without", bounded.Lost, open.Lost)
	}
}

// A short soak: every round converges with one new epoch, no TILT and a
// quorum before and after.
func TestShortSoak(t *testing.T) {
	l := newLab(t)
	l.up()
	out := l.must("soak", "--rounds", "2", "--load", "--wait-replicas", "1", "-o", "json").stdout
	var s soak.Summary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("soak -o json: %v\n%s", err, out)
	}
	if s.Converged != 2 || len(s.Results) != 2 || s.OutageMS == nil || s.LostAcked == nil {
		t.Errorf("soak: %s", describe(s))
	}
	for _, r := range s.Results {
		if r.EpochAfter != r.EpochBefore+1 || r.OldMaster == r.NewMaster {
			t.Errorf("round %d: epoch %d -> %d, %s -> %s", r.N, r.EpochBefore, r.EpochAfter, r.OldMaster, r.NewMaster)
		}
	}
}
