package e2e

// What an adversarial user broke (issue 17), against the real daemon: a
// removed lab network, a shrink with a failed-over master, revive of a
// hand-removed sentinel and of a stray master.

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
)

// upWith runs up with the lab's flags and more.
func (l *Lab) upWith(extra ...string) result {
	l.t.Helper()
	return l.run(append(append([]string{"up"}, l.Flags...), extra...)...)
}

// With the lab network removed (`docker network rm` after stopping the
// containers), status never dials the nodes' in-network addresses, which
// the host would route off the machine, the password with them; it names
// the missing network, --check fails, and up creates the network again
// with the containers that were on it.
func TestRemovedLabNetworkIsNeverDialedAndUpRecreatesIt(t *testing.T) {
	l := newLab(t)
	l.up()
	before := map[string]string{}
	for _, c := range l.containers() {
		before[c.Service] = c.Addresses[l.Name+"_lab"].String()
		if err := l.Eng.Stop(context.Background(), c.ID, 10*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Eng.RemoveNetwork(context.Background(), l.Name+"_lab"); err != nil {
		t.Fatal(err)
	}

	r := l.run("status", "-o", "json", "--check")
	if r.code != 3 {
		t.Errorf("status --check on a lab without its network: exit %d, want 3\n%s", r.code, r.stderr)
	}
	var st lab.Report
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatalf("status -o json: %v\n%s", err, r.stdout)
	}
	if st.Healthy || len(st.Problems) == 0 || !strings.Contains(st.Problems[0], "network "+l.Name+"_lab does not exist") {
		t.Errorf("status problems %q, want the missing network first", st.Problems)
	}
	for _, n := range st.Nodes {
		if !strings.Contains(n.Error, "not dialing "+n.Address+" directly") {
			t.Errorf("%s: %q, want its in-network address left alone", n.Service, n.Error)
		}
	}
	for _, s := range st.Sentinels {
		if !strings.Contains(s.Error, "not dialing "+s.Address+" directly") {
			t.Errorf("%s: %q, want its in-network address left alone", s.Service, s.Error)
		}
	}
	if r := l.run("--connect", "direct", "status", "-o", "json"); !strings.Contains(r.stdout, "use --connect published or auto") {
		t.Errorf("--connect direct without the lab network:\n%s%s", r.stdout, r.stderr)
	}

	up := l.up()
	if !strings.Contains(up.stderr, "recreated (its network was gone and is created again)") {
		t.Errorf("up did not say it recreated the containers:\n%s", up.stderr)
	}
	if st := l.status(); !st.Healthy {
		t.Errorf("after up: %s", describe(st))
	}
	for _, c := range l.containers() {
		if got := c.Addresses[l.Name+"_lab"].String(); got != before[c.Service] {
			t.Errorf("%s came back at %s, was at %s", c.Service, got, before[c.Service])
		}
	}
}

// sentinelsSeePriority waits until every sentinel reports replica's
// replica-priority as want, so a failover's choice depends on it.
func sentinelsSeePriority(t *testing.T, l *Lab, replica, want string) {
	t.Helper()
	opened, err := lab.Open(labdir.Dir{Root: l.Dir})
	if err != nil {
		t.Fatal(err)
	}
	pr := opened.Prober(l.Eng, probe.ReachAuto)
	defer pr.Close()
	n, _ := opened.Topology.Node(replica)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		seen := 0
		for _, s := range opened.Topology.Sentinels() {
			list, _ := pr.SentinelClient(s.Addr.String()).Replicas(context.Background(), opened.Config.MasterName).Result()
			for _, m := range list {
				if m["ip"]+":"+m["port"] == n.Addr.String() && m["slave-priority"] == want {
					seen++
				}
			}
		}
		if seen == len(opened.Topology.Sentinels()) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sentinels do not see %s's replica-priority %s", replica, want)
		}
	}
}

// Shrinking never removes the current master, and the sentinels forget
// the replicas it removes; down --volumes then deletes their folders too.
func TestShrinkKeepsTheMasterAndTheSentinelsForgetRemovedReplicas(t *testing.T) {
	l := newLab(t)
	l.up()
	// node-1 is never promoted, so the failover makes node-2 the master.
	l.must("cli", "node-1", "CONFIG", "SET", "replica-priority", "0")
	sentinelsSeePriority(t, l, "node-1", "0")
	if r := l.killMaster(); r.NewMaster.Service != "node-2" {
		t.Fatalf("new master %s, want node-2 (node-1 has replica-priority 0)", r.NewMaster.Service)
	}
	l.revive()

	refused := l.upWith("--replicas", "1")
	expectFailure(t, refused, 2, "node-2 is the current master", "--replicas 1 would remove it", "kill-master", "--replicas 2 or more")
	if c := l.container("node-2"); c.State != "running" {
		t.Errorf("node-2 is %s after the refused shrink", c.State)
	}
	if st := l.status(); !st.Healthy || st.Master.Service != "node-2" {
		t.Errorf("after the refused shrink: %s", describe(st))
	}

	// Fail back: node-1 cannot be promoted, so master takes over again.
	if r := l.killMaster(); r.NewMaster.Service != "master" {
		t.Fatalf("new master %s, want master", r.NewMaster.Service)
	}
	l.revive()
	shrunk := l.up("--replicas", "1")
	if !strings.Contains(shrunk.stderr, "node-2: removed") || !strings.Contains(shrunk.stderr, "SENTINEL RESET") {
		t.Errorf("up --replicas 1 did not say it removed node-2 and reset the sentinels:\n%s", shrunk.stderr)
	}
	for _, c := range l.containers() {
		if c.Service == "node-2" {
			t.Errorf("node-2 is still there: %+v", c)
		}
	}
	st := l.status()
	if !st.Healthy || st.Master.Service != "master" {
		t.Errorf("after the shrink: %s", describe(st))
	}
	for _, s := range st.Sentinels {
		if s.Replicas != 1 {
			t.Errorf("%s knows %d replicas, want 1: it did not forget node-2", s.Service, s.Replicas)
		}
	}

	down := l.must("down", "--volumes")
	if _, err := os.Stat(l.path("data", "node-2")); !os.IsNotExist(err) {
		t.Errorf("down --volumes left data/node-2 (%v):\n%s", err, down.stdout)
	}
}

// revive checks what status checks: it creates again a sentinel removed by
// hand, waits for the sentinels to convert a stray master, fails at once
// naming why a node it started stopped again, and calls nothing healthy
// that is not.
func TestReviveChecksWhatStatusChecks(t *testing.T) {
	l := newLab(t)
	l.up()
	if rv := l.revive(); len(rv.Revived) != 0 || rv.Master.Service != "master" || rv.Master.Address == "" {
		t.Errorf("revive of a healthy lab: %s, want nothing revived and the master named", describe(rv))
	}

	// No replica left to promote: kill-master refuses up front.
	for _, s := range []string{"node-1", "node-2"} {
		if err := l.Eng.Stop(context.Background(), l.container(s).ID, 10*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	expectFailure(t, l.run("kill-master"), 1, "no replica can take over from the master master", "node-1 is down (container exited)", "--force")
	if c := l.container("master"); c.State != "running" {
		t.Errorf("kill-master killed the last data node: %s", c.State)
	}
	l.revive()

	if err := l.Eng.Remove(context.Background(), l.container("sentinel-2").ID); err != nil {
		t.Fatal(err)
	}
	rv := l.revive()
	if len(rv.Revived) != 1 || rv.Revived[0].Service != "sentinel-2" || rv.Revived[0].Fault != "missing" {
		t.Errorf("revive after docker rm -f sentinel-2: %s", describe(rv))
	}
	if st := l.status(); !st.Healthy {
		t.Errorf("after reviving sentinel-2: %s", describe(st))
	}

	l.must("cli", "node-1", "REPLICAOF", "NO", "ONE")
	st := l.status()
	stray := false
	for _, p := range st.Problems {
		stray = stray || strings.Contains(p, "node-1 also answers role:master")
	}
	if !stray {
		t.Errorf("status with two masters: %q", st.Problems)
	}
	rv = l.revive()
	if len(rv.Revived) != 1 || rv.Revived[0].Service != "node-1" || rv.Revived[0].Fault != "stray master" || rv.Revived[0].Master != "master" {
		t.Errorf("revive of the stray master: %s", describe(rv))
	}

	// Nothing faulted but not healthy: a sentinel whose quorum cannot be met.
	l.must("cli", "sentinel-1", "SENTINEL", "SET", "redis-master", "quorum", "4")
	expectFailure(t, l.run("revive", "--timeout", "2s"), 1, "nothing to revive, but the lab is not healthy", "sentinel-1 CKQUORUM")
	l.must("cli", "sentinel-1", "SENTINEL", "SET", "redis-master", "quorum", "2")

	// A sentinel that cannot start again: its conf deleted while stopped.
	if err := l.Eng.Stop(context.Background(), l.container("sentinel-3").ID, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(l.path("data", "sentinel-3", "data", "sentinel.conf")); err != nil {
		t.Fatal(err)
	}
	r := l.run("revive")
	expectFailure(t, r, 1, "sentinel-3 stopped again after revive started it", "config file", "`sentinel-lab up` renders it again")
	l.up()
	if st := l.status(); !st.Healthy {
		t.Errorf("after up rendered sentinel-3's conf again: %s", describe(st))
	}
}
