package scenario

import (
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/fault"
)

// A few steps many scenarios share.
var (
	killMaster = Step{Do: DoFault, Who: TheMaster, Fault: fault.Spec{Mode: fault.Kill}}
	// disarmOnCrash clears the other sentinels' simulated failure once
	// they flag the crashed leader down, so the sentinel elected next
	// completes the failover instead of crashing too.
	disarmOnCrash = Reaction{On: "+sdown", OnKind: "sentinel", Step: Step{Do: DoDisarm, Who: TheSentinels}}
)

// failoverWindow bounds the wait for a failover that must come: long
// enough for an aborted attempt and the next one (2 x failover-timeout
// later), never reached by a lab that works.
func failoverWindow(t Timers) time.Duration {
	return t.DownAfter + 4*t.FailoverTimeout + 15*time.Second
}

// catalogue is every scenario. Each says what it does as data and judges
// the outcome with its checks; stepsDone comes first everywhere, so a
// fault that could not be applied fails the scenario and says which.
var catalogue = []*Scenario{
	{
		Name:     "master-crash",
		Trigger:  []Step{killMaster},
		Failover: true,
		Checks:   []Check{stepsDone, masterFlaggedDown, failedOver, oneElection},
	},
	{
		// A restart (kill, then start at once) faster than down-after is
		// not a failure to the sentinels. down-after is three times the
		// catalogue's so that a container start on a busy machine fits.
		Name:    "master-restart-within-down-after",
		Timers:  func(t Timers) Timers { t.DownAfter *= 3; t.FailoverTimeout *= 3; return t },
		Trigger: []Step{killMaster, {Do: DoLift, Who: TheMaster}},
		Window:  func(t Timers) time.Duration { return t.DownAfter + 2*time.Second },
		Checks:  []Check{stepsDone, restarted, noOdown, noFailover},
	},
	{
		// The master sleeps (DEBUG SLEEP) well past down-after, its
		// connections open: to the sentinels, a slow master is a dead one.
		Name:     "master-slow",
		Trigger:  []Step{{Do: DoFault, Who: TheMaster, Fault: fault.Spec{Mode: fault.Sleep}, For: sleepFor}},
		Failover: true,
		Checks:   []Check{stepsDone, masterFlaggedDown, failedOver},
	},
	{
		Name:     "replica-down-during-failover",
		Trigger:  []Step{killMaster},
		During:   []Reaction{{On: "+selected-slave", Step: Step{Do: DoFault, Who: TheEventNode, Fault: fault.Spec{Mode: fault.Kill}}}},
		Failover: true,
		Checks:   []Check{stepsDone, reacted, survivorPromoted, laterEpoch},
	},
	{
		Name:    "all-replicas-down",
		Setup:   []Step{{Do: DoFault, Who: TheReplicas, Fault: fault.Spec{Mode: fault.Kill}, Until: ReplicasFlagged}},
		Trigger: []Step{killMaster},
		Window:  func(t Timers) time.Duration { return t.DownAfter + 5*time.Second },
		Checks:  []Check{stepsDone, masterFlaggedDown, noGoodReplica, noFailover},
	},
	{
		// One sentinel loses the master (all packets between them
		// dropped); the others still see it: no quorum for +odown.
		Name:    "sentinel-minority-partition",
		Trigger: []Step{{Do: DoFault, Who: TheFirstSentinel, From: TheMaster, Fault: fault.Spec{Mode: fault.Loss, LossPercent: 100}}},
		Window:  func(t Timers) time.Duration { return 2*t.DownAfter + 3*time.Second },
		Checks:  []Check{stepsDone, partitionSeen, noOdown, noFailover},
	},
	{
		// With quorum 1 the last sentinel may call the master
		// objectively down, but it cannot be elected alone. The quorum
		// is lowered once the others are down: a lab started with
		// quorum 1 can fail over on a sentinel's first impatience.
		Name: "sentinel-majority-down",
		Setup: []Step{
			{Do: DoFault, Who: TheLastSentinels, Fault: fault.Spec{Mode: fault.Kill}},
			{Do: DoQuorum, Who: TheFirstSentinel, Quorum: 1},
		},
		Trigger: []Step{killMaster},
		Window:  func(t Timers) time.Duration { return t.DownAfter + t.FailoverTimeout + 3*time.Second },
		Checks:  []Check{stepsDone, odownAlone, notElected, noFailover},
	},
	{
		Name:     "leader-crash-after-election",
		Setup:    []Step{{Do: DoFault, Who: TheSentinels, Fault: fault.Spec{Mode: fault.CrashAfterElection}}},
		Trigger:  []Step{killMaster},
		During:   []Reaction{disarmOnCrash},
		Failover: true,
		Checks:   []Check{stepsDone, leaderCrashed, otherLeader, failedOver},
	},
	{
		Name:     "leader-crash-after-promotion",
		Setup:    []Step{{Do: DoFault, Who: TheSentinels, Fault: fault.Spec{Mode: fault.CrashAfterPromotion}}},
		Trigger:  []Step{killMaster},
		During:   []Reaction{disarmOnCrash},
		Failover: true,
		Checks:   []Check{stepsDone, leaderCrashed, otherLeader, failedOver},
	},
	{
		// The old master is cut off with a client on its side; with
		// min-replicas-to-write 1 it stops acknowledging once its
		// replicas are gone for min-replicas-max-lag.
		Name: "old-master-partitioned",
		Lab: func(Timers) map[string]string {
			return map[string]string{"min-replicas-to-write": "1", "min-replicas-max-lag": "1s"}
		},
		Trigger:  []Step{{Do: DoFault, Who: TheMaster, Fault: fault.Spec{Mode: fault.Disconnect}}},
		Failover: true, Load: true, Revive: true,
		Checks: []Check{stepsDone, failedOver, splitBrain, splitBrainBounded, splitBrainLoss},
	},
	{
		// Frozen longer than the 2 s Sentinel's timer tolerates, a
		// sentinel distrusts its clock when it resumes.
		Name:    "sentinel-tilt",
		Trigger: []Step{{Do: DoFault, Who: TheFirstSentinel, Fault: fault.Spec{Mode: fault.Pause, For: 3 * time.Second}}},
		Window:  func(Timers) time.Duration { return 3*time.Second + 4*time.Second },
		Checks:  []Check{stepsDone, tilted, noFailover},
	},
	{
		Name:     "manual-failover",
		Trigger:  []Step{{Do: DoFailover, Who: TheFirstSentinel}},
		Failover: true,
		Checks:   []Check{stepsDone, noDetection, leaderAsked, failedOver},
	},
	{
		// Every packet between the sentinels and the master is dropped;
		// clients still reach it. The sentinels fail over a master that
		// is alive: two masters until the partition heals.
		Name:     "master-partitioned-from-sentinels",
		Trigger:  []Step{{Do: DoFault, Who: TheMaster, From: TheSentinels, Fault: fault.Spec{Mode: fault.Loss, LossPercent: 100}}},
		Failover: true,
		Checks:   []Check{stepsDone, masterFlaggedDown, failedOver, oldMasterServes},
	},
}

// sleepFor is how long master-slow's master sleeps: past down-after and
// the whole failover.
func sleepFor(t Timers) time.Duration { return 2*t.DownAfter + 4*time.Second }
