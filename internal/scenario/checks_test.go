package scenario

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/load"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// base is an observation of a lab whose master is "master" at
// 172.28.7.10:6379, before anything happened.
func base(t *testing.T) *Observation {
	t.Helper()
	cfg, err := config.Load(config.Layers{Dir: "/labs/checks", UID: 1000, GID: 1000})
	if err != nil {
		t.Fatal(err)
	}
	topo := topology.New(cfg, netip.MustParsePrefix("172.28.7.0/24"))
	names := failover.Names{ByAddr: map[string]string{}, ByID: map[string]string{"id-1": "sentinel-1", "id-2": "sentinel-2", "id-3": "sentinel-3"}}
	for _, n := range topo.Nodes {
		names.ByAddr[n.Addr.String()] = n.Service
	}
	return &Observation{OldMaster: topo.InitialMaster(), Names: names, MaxLag: time.Second, Containers: map[string]string{}}
}

func ev(ms int64, sentinel, typ, detail string) failover.Event {
	return failover.Event{AtMS: ms, Sentinel: sentinel, Type: typ, Detail: detail}
}

const masterInst = "master redis-master 172.28.7.10 6379"

func converged(newMaster string, epoch int64, leader string) *failover.Report {
	r := &failover.Report{Epoch: epoch, Leader: leader}
	r.NewMaster.Service, r.ConvergedMS = newMaster, 2300
	return r
}

func TestChecks(t *testing.T) {
	cases := []struct {
		name  string
		check Check
		obs   func(o *Observation)
		ok    bool
		want  string // in the arguments
	}{
		{"steps done", stepsDone, func(o *Observation) { o.Steps = []Done{{What: "kill", Services: []string{"master"}}} }, true, "kill master"},
		{"a step failed", stepsDone, func(o *Observation) {
			o.Steps = []Done{{What: "kill", Services: []string{"master"}, Error: "no such container"}}
		}, false, "no such container"},
		{"no step at all", stepsDone, func(*Observation) {}, false, "did not get to its first step"},
		{"master flagged", masterFlaggedDown, func(o *Observation) { o.Events = []failover.Event{ev(1100, "sentinel-2", "+sdown", masterInst)} }, true, "+1.100s"},
		{"a replica flagged is not the master", masterFlaggedDown, func(o *Observation) {
			o.Events = []failover.Event{ev(1100, "sentinel-2", "+sdown", "slave 172.28.7.11:6380 172.28.7.11 6380 @ redis-master 172.28.7.10 6379")}
		}, false, "master"},
		{"failed over", failedOver, func(o *Observation) { o.Failover = converged("node-1", 1, "sentinel-1") }, true, "node-1"},
		{"no failover, with the reasons", failedOver, func(o *Observation) {
			o.NoFailover = &failover.NoFailoverError{Reasons: []string{"no replica was fit to promote"}}
		}, false, "no replica was fit"},
		{"watch error", failedOver, func(o *Observation) { o.WatchError = errors.New("engine gone") }, false, "engine gone"},
		{"one election", oneElection, func(o *Observation) {
			o.Events = []failover.Event{ev(1, "sentinel-1", "+new-epoch", "1"), ev(2, "sentinel-2", "+new-epoch", "1")}
		}, true, "1"},
		{"a retried election", oneElection, func(o *Observation) {
			o.Events = []failover.Event{ev(1, "sentinel-1", "+new-epoch", "1"), ev(9, "sentinel-2", "+new-epoch", "2")}
		}, false, "1, 2"},
		{"restarted", restarted, func(o *Observation) {
			o.RunIDBefore, o.OldInfo = "aaaaaaaaaa", probe.NodeInfo{Reachable: true, RunID: "bbbbbbbbbb"}
		}, true, "aaaaaaaa"},
		{"same process", restarted, func(o *Observation) {
			o.RunIDBefore, o.OldInfo = "aaaa", probe.NodeInfo{Reachable: true, RunID: "aaaa"}
		}, false, "did not change"},
		{"no odown", noOdown, func(o *Observation) { o.Events = []failover.Event{ev(1000, "sentinel-1", "+sdown", masterInst)} }, true, ""},
		{"odown", noOdown, func(o *Observation) {
			o.Events = []failover.Event{ev(1200, "sentinel-3", "+odown", masterInst+" #quorum 2/2")}
		}, false, "sentinel-3"},
		{"no failover", noFailover, func(o *Observation) {
			o.Views = []probe.SentinelView{{Service: "sentinel-1", Reachable: true, MasterAddr: "172.28.7.10:6379"}, {Service: "sentinel-2"}}
			o.NoFailover = &failover.NoFailoverError{Reasons: []string{"only 1 of 3 sentinels answer"}}
		}, true, "only 1 of 3"},
		{"a sentinel names another master", noFailover, func(o *Observation) {
			o.Views = []probe.SentinelView{{Service: "sentinel-1", Reachable: true, MasterAddr: "172.28.7.11:6380"}}
		}, false, "sentinel-1 names node-1 as master"},
		{"the epoch moved", noFailover, func(o *Observation) {
			o.Views = []probe.SentinelView{{Service: "sentinel-1", Reachable: true, MasterAddr: "172.28.7.10:6379", ConfigEpoch: 1}}
		}, false, "from 0 to 1"},
		{"switch-master published", noFailover, func(o *Observation) { o.Events = []failover.Event{ev(3000, "sentinel-2", "+switch-master", "x")} }, false, "+switch-master"},
		{"nobody answers", noFailover, func(o *Observation) { o.Views = []probe.SentinelView{{Service: "sentinel-1"}} }, false, "no sentinel answers"},
		{"reacted", reacted, func(o *Observation) {
			o.Steps = []Done{{What: "kill", Services: []string{"node-1"}, Trigger: "+selected-slave from sentinel-1", AtMS: 1300}}
		}, true, "+selected-slave from sentinel-1"},
		{"the event never came", reacted, func(o *Observation) { o.Reactions = []string{"+selected-slave"} }, false, "+selected-slave"},
		{"survivor promoted", survivorPromoted, func(o *Observation) {
			o.Steps = []Done{{What: "kill", Services: []string{"master"}}, {What: "kill", Services: []string{"node-1"}}}
			o.Failover = converged("node-2", 2, "sentinel-1")
		}, true, "node-2"},
		{"the killed replica promoted", survivorPromoted, func(o *Observation) {
			o.Steps = []Done{{What: "kill", Services: []string{"node-1"}}}
			o.Failover = converged("node-1", 1, "sentinel-1")
		}, false, "node-1"},
		{"later epoch", laterEpoch, func(o *Observation) {
			o.Events = []failover.Event{ev(1, "sentinel-1", "+new-epoch", "1"), ev(7000, "sentinel-2", "+new-epoch", "2")}
			o.Failover = converged("node-2", 2, "sentinel-2")
		}, true, "2"},
		{"same epoch", laterEpoch, func(o *Observation) {
			o.Events = []failover.Event{ev(1, "sentinel-1", "+new-epoch", "1")}
			o.Failover = converged("node-2", 1, "sentinel-1")
		}, false, "1"},
		{"no good replica", noGoodReplica, func(o *Observation) {
			o.Events = []failover.Event{ev(2000, "sentinel-1", "-failover-abort-no-good-slave", masterInst)}
		}, true, "sentinel-1"},
		{"no abort", noGoodReplica, func(*Observation) {}, false, ""},
		{"partition seen", partitionSeen, func(o *Observation) {
			o.Steps = []Done{{What: "loss 100% from master", Services: []string{"sentinel-1"}}}
			o.Events = []failover.Event{ev(1100, "sentinel-1", "+sdown", masterInst)}
		}, true, "sentinel-1"},
		{"another sentinel saw it", partitionSeen, func(o *Observation) {
			o.Steps = []Done{{What: "loss 100% from master", Services: []string{"sentinel-1"}}}
			o.Events = []failover.Event{ev(1100, "sentinel-2", "+sdown", masterInst)}
		}, false, "sentinel-1"},
		{"odown alone", odownAlone, func(o *Observation) {
			o.Events = []failover.Event{ev(1100, "sentinel-1", "+odown", masterInst+" #quorum 1/1")}
		}, true, "sentinel-1"},
		{"not even odown", odownAlone, func(*Observation) {}, false, "master"},
		{"not elected", notElected, func(o *Observation) {
			o.Events = []failover.Event{ev(4600, "sentinel-1", "-failover-abort-not-elected", masterInst)}
		}, true, "-failover-abort-not-elected"},
		{"elected", notElected, func(o *Observation) {
			o.Events = []failover.Event{ev(1300, "sentinel-1", "+elected-leader", masterInst)}
		}, false, "sentinel-1"},
		{"leader crashed after its election", leaderCrashed, func(o *Observation) {
			o.Steps = []Done{{What: "crash-after-election", Services: []string{"sentinel-1", "sentinel-2", "sentinel-3"}}}
			o.Containers = map[string]string{"sentinel-1": "exited", "sentinel-2": "running", "sentinel-3": "running"}
			o.Events = []failover.Event{ev(1142, "sentinel-1", "+vote-for-leader", "id-1 1"), ev(1147, "sentinel-2", "+vote-for-leader", "id-1 1")}
		}, true, "sentinel-1"},
		{"a crash without votes", leaderCrashed, func(o *Observation) {
			o.Steps = []Done{{What: "crash-after-election", Services: []string{"sentinel-1"}}}
			o.Containers = map[string]string{"sentinel-1": "exited"}
		}, false, "sentinel-1"},
		{"a crash before the promotion it was armed for", leaderCrashed, func(o *Observation) {
			o.Steps = []Done{{What: "crash-after-promotion", Services: []string{"sentinel-1"}}}
			o.Containers = map[string]string{"sentinel-1": "exited"}
			o.Events = []failover.Event{ev(1147, "sentinel-2", "+vote-for-leader", "id-1 1"), ev(1200, "sentinel-1", "+elected-leader", masterInst)}
		}, false, "sentinel-1"},
		{"another leader", otherLeader, func(o *Observation) {
			o.Steps = []Done{{What: "crash-after-election", Services: []string{"sentinel-1", "sentinel-2"}}}
			o.Containers = map[string]string{"sentinel-1": "exited", "sentinel-2": "running"}
			o.Failover = converged("node-1", 2, "sentinel-2")
		}, true, "sentinel-2"},
		{"the crashed one led", otherLeader, func(o *Observation) {
			o.Steps = []Done{{What: "crash-after-election", Services: []string{"sentinel-1"}}}
			o.Containers = map[string]string{"sentinel-1": "exited"}
			o.Failover = converged("node-1", 1, "sentinel-1")
		}, false, "sentinel-1"},
		{"split brain", splitBrain, func(o *Observation) { o.Load = &load.Result{Isolated: &load.Isolated{Attempted: 400, Acked: 90}} }, true, "90"},
		{"no isolated writes", splitBrain, func(o *Observation) { o.Load = &load.Result{} }, false, "master"},
		{"bounded", splitBrainBounded, func(o *Observation) {
			o.Load = &load.Result{Isolated: &load.Isolated{Acked: 90, Refused: 300, LastAckMS: 1150}}
		}, true, "+4.000s"},
		{"acknowledged too long", splitBrainBounded, func(o *Observation) {
			o.Load = &load.Result{Isolated: &load.Isolated{Acked: 900, Refused: 3, LastAckMS: 9000}}
		}, false, "+9.000s"},
		{"loss counted", splitBrainLoss, func(o *Observation) {
			o.Revive = &failover.ReviveReport{SplitBrain: &load.Dropped{OldMaster: "master", Acked: 90, Lost: 90}}
		}, true, "90"},
		{"revive failed", splitBrainLoss, func(o *Observation) { o.ReviveError = "revived nodes did not rejoin" }, false, "did not rejoin"},
		{"tilted", tilted, func(o *Observation) {
			o.Steps = []Done{{What: "pause for 3s", Services: []string{"sentinel-1"}}}
			o.Events = []failover.Event{ev(3100, "sentinel-1", "+tilt", "#tilt mode entered")}
		}, true, "+3.100s"},
		{"no tilt", tilted, func(o *Observation) { o.Steps = []Done{{What: "pause for 3s", Services: []string{"sentinel-1"}}} }, false, "sentinel-1"},
		{"no detection", noDetection, func(*Observation) {}, true, ""},
		{"a detection", noDetection, func(o *Observation) { o.Events = []failover.Event{ev(1000, "sentinel-2", "+odown", masterInst)} }, false, "sentinel-2"},
		{"the asked leader", leaderAsked, func(o *Observation) {
			o.Steps = []Done{{What: "SENTINEL FAILOVER", Services: []string{"sentinel-1"}}}
			o.Failover = converged("node-1", 1, "sentinel-1")
		}, true, "sentinel-1"},
		{"another leader than asked", leaderAsked, func(o *Observation) {
			o.Steps = []Done{{What: "SENTINEL FAILOVER", Services: []string{"sentinel-1"}}}
			o.Failover = converged("node-1", 1, "sentinel-3")
		}, false, "sentinel-3"},
		{"the old master serves", oldMasterServes, func(o *Observation) { o.OldInfo = probe.NodeInfo{Reachable: true, Role: topology.Master} }, true, "master"},
		{"the old master is a replica", oldMasterServes, func(o *Observation) { o.OldInfo = probe.NodeInfo{Reachable: true, Role: topology.Replica} }, false, "replica"},
	}
	for _, c := range cases {
		o := base(t)
		c.obs(o)
		f := c.check(o)
		if f.OK != c.ok || !strings.Contains(strings.Join(f.Args, " | "), c.want) {
			t.Errorf("%s: %+v, want ok=%v with %q", c.name, f, c.ok, c.want)
		}
	}
}

// Every scenario says what it expects and checks its own steps first, so
// a fault that did not take effect fails it.
func TestEveryScenarioChecksItsStepsFirst(t *testing.T) {
	for _, sc := range Catalogue() {
		if len(sc.Checks) < 2 || len(sc.Trigger) == 0 {
			t.Errorf("%s: %d checks, %d trigger steps", sc.Name, len(sc.Checks), len(sc.Trigger))
			continue
		}
		if f := sc.Checks[0](&Observation{}); f.Key != "stepsDone" {
			t.Errorf("%s checks %s first", sc.Name, f.Key)
		}
		if !sc.Failover && sc.Window == nil {
			t.Errorf("%s expects no failover but has no window", sc.Name)
		}
	}
}
