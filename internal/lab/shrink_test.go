package lab

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/probe/probetest"
	"github.com/sentinel-lab/sentinel-lab/internal/render"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// masterIs answers as a healthy lab whose master is service, when the
// topology asked about has it.
func masterIs(service string) func(*probetest.Fake) {
	return func(f *probetest.Fake) {
		t := f.Lab()
		m, ok := t.Node(service)
		if !ok {
			return
		}
		f.Now(func(s *probetest.State) {
			s.Promote(m.Service)
			for _, n := range t.DataNodes() {
				if n != m {
					s.Follow(m.Service, n.Service)
				}
			}
			for _, n := range t.Sentinels() {
				s.Names(m.Service, n.Service)
			}
		})
	}
}

// notRunningLab: no node answers.
func notRunningLab(f *probetest.Fake) {
	f.Now(func(s *probetest.State) { s.Down(f.Lab().Services()...) })
}

// Issue 17: `up --replicas 1` on a lab whose master was node-2 removed
// node-2, the live master. It refuses, before anything is written, with
// the fix.
func TestShrinkNeverRemovesTheCurrentMaster(t *testing.T) {
	env := newTestEnv(healthy)
	dir := mkdir(t, newDir(t))
	env.up(t, dir, map[string]string{"replicas": "2"})
	compose, _ := os.ReadFile(dir.ComposeFile())
	env.reopen(masterIs("node-2"))

	_, err := env.Up(ctx, dir, loadConfig(t, dir, map[string]string{"replicas": "1"}), UpOptions{Flags: map[string]string{"replicas": "1"}, Timeout: time.Minute})

	var refused *ShrinkError
	if !errors.As(err, &refused) {
		t.Fatalf("got %v, want the shrink refused", err)
	}
	for _, want := range []string{"node-2 is the current master", "sentinel-1, sentinel-2, sentinel-3 say so", "--replicas 1 would remove it", "kill-master", "--replicas 2 or more"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
	if c, ok := env.eng.Find("alpha", "node-2"); !ok || c.State != "running" {
		t.Errorf("node-2 after the refused shrink: %+v (found %v)", c, ok)
	}
	if after, _ := os.ReadFile(dir.ComposeFile()); string(after) != string(compose) {
		t.Error("the refused shrink rewrote the compose file")
	}
	if st, _ := dir.ReadState(); st.Config["replicas"] != "2" || st.Flags["replicas"] != "2" {
		t.Errorf("the refused shrink changed the state: %v %v", st.Config["replicas"], st.Flags)
	}
}

// A node that answers role:master (a stray master) is not removed either.
func TestShrinkNeverRemovesANodeThatAnswersAsMaster(t *testing.T) {
	env := newTestEnv(healthy)
	dir := mkdir(t, newDir(t))
	env.up(t, dir, nil)
	env.reopen(func(f *probetest.Fake) {
		if _, ok := f.Lab().Node("node-2"); ok {
			f.Now(func(s *probetest.State) { s.Info("node-2", func(ni *probe.NodeInfo) { ni.Role = topology.Master }) })
		}
	})

	_, err := env.Up(ctx, dir, loadConfig(t, dir, map[string]string{"replicas": "1"}), UpOptions{Timeout: time.Minute})

	if err == nil || !strings.Contains(err.Error(), "node-2 is the current master (it answers role:master)") {
		t.Errorf("got %v, want the stray master kept", err)
	}
}

// A lab that is not running says who its master is in the sentinels'
// confs, which they rewrite at every failover.
func TestShrinkOfAStoppedLabReadsTheMasterFromTheConfs(t *testing.T) {
	env := newTestEnv(healthy)
	dir := mkdir(t, newDir(t))
	res := env.up(t, dir, nil)
	env.stopAll(t)
	node2, _ := res.Lab.Topology.Node("node-2")
	for _, s := range res.Lab.Topology.Sentinels() {
		conf := "sentinel monitor redis-master " + node2.Addr.Addr().String() + " " + strings.TrimPrefix(node2.Addr.String(), node2.Addr.Addr().String()+":") + " 2\n"
		if err := os.WriteFile(render.ConfPath(dir, s), []byte(conf), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env.reopen(notRunningLab)

	_, err := env.Up(ctx, dir, loadConfig(t, dir, map[string]string{"replicas": "1"}), UpOptions{Timeout: time.Minute})

	if err == nil || !strings.Contains(err.Error(), "node-2 is the current master (the sentinels' confs say so)") {
		t.Errorf("got %v, want the master read from the confs", err)
	}
}

// Issue 17: after a shrink the sentinels kept listing the removed replica
// as s_down,slave while status said healthy. up sends each sentinel that
// lists it SENTINEL RESET, and waits until none does.
func TestShrinkMakesTheSentinelsForgetTheRemovedReplica(t *testing.T) {
	env := newTestEnv(healthy)
	dir := mkdir(t, newDir(t))
	before := env.up(t, dir, nil)
	node2, _ := before.Lab.Topology.Node("node-2")
	env.reopen(func(f *probetest.Fake) {
		if _, known := f.Lab().Node("node-2"); known {
			return
		}
		f.Now(func(s *probetest.State) {
			for _, sn := range f.Lab().Sentinels() {
				s.View(sn.Service, func(v *probe.SentinelView) {
					if !env.reset(v.Service) {
						v.Replicas = append(v.Replicas, probe.PeerState{Address: node2.Addr.String(), Flags: "s_down,slave"})
					}
				})
			}
		})
	})

	res, err := env.Up(ctx, dir, loadConfig(t, dir, map[string]string{"replicas": "1"}), UpOptions{Timeout: time.Minute})

	if err != nil {
		t.Fatal(err)
	}
	if _, ok := env.eng.Find("alpha", "node-2"); ok {
		t.Error("node-2 was not removed")
	}
	if got := sorted(env.resets); !slices.Equal(got, []string{"sentinel-1", "sentinel-2", "sentinel-3"}) {
		t.Errorf("reset %v, want every sentinel once", got)
	}
	if !res.Health.Healthy {
		t.Errorf("health after the shrink: %v", res.Health.Problems)
	}
}

// With no sentinel answering and no conf naming a master, the master
// cannot be told, and the shrink is refused rather than risked.
func TestShrinkRefusedWhenTheMasterCannotBeTold(t *testing.T) {
	env := newTestEnv(healthy)
	dir := mkdir(t, newDir(t))
	res := env.up(t, dir, nil)
	env.stopAll(t)
	for _, s := range res.Lab.Topology.Sentinels() {
		if err := os.WriteFile(render.ConfPath(dir, s), []byte("port 26379\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env.reopen(notRunningLab)

	_, err := env.Up(ctx, dir, loadConfig(t, dir, map[string]string{"replicas": "1"}), UpOptions{Timeout: time.Minute})

	if err == nil || !strings.Contains(err.Error(), "cannot tell which node is the master") || !strings.Contains(err.Error(), "sentinel-lab up --replicas 2") {
		t.Errorf("got %v", err)
	}
	if _, ok := env.eng.Find("alpha", "node-2"); !ok {
		t.Error("node-2 was removed")
	}
}
