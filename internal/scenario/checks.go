package scenario

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/fault"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// The checks. Each returns a Finding keyed by its own name: the phrase
// table has "check <name> ok" and "check <name> fail" for it.

func pass(key string, args ...string) Finding { return Finding{Key: key, OK: true, Args: args} }
func fail(key string, args ...string) Finding { return Finding{Key: key, Args: args} }

func at(ms int64) string { return fmt.Sprintf("%+.3fs", float64(ms)/1000) }

// stepsDone: every step the scenario took was carried out. A fault that
// could not be applied fails the scenario here, saying which and why.
func stepsDone(o *Observation) Finding {
	if len(o.Steps) == 0 {
		return fail("stepsDone", "nothing", "the scenario did not get to its first step")
	}
	var did []string
	for _, d := range o.Steps {
		if d.Error != "" {
			return fail("stepsDone", d.What+" "+strings.Join(d.Services, ", "), d.Error)
		}
		did = append(did, strings.TrimSpace(d.What+" "+strings.Join(d.Services, ", ")))
	}
	return pass("stepsDone", strings.Join(did, "; "))
}

// masterFlaggedDown: a sentinel noticed the old master's fault (+sdown).
func masterFlaggedDown(o *Observation) Finding {
	for _, e := range o.about("+sdown", "master") {
		if in, _ := failover.ParseInstance(e.Detail); in.Addr == o.OldMaster.Addr.String() {
			return pass("masterFlaggedDown", e.Sentinel, o.OldMaster.Service, at(e.AtMS))
		}
	}
	return fail("masterFlaggedDown", o.OldMaster.Service)
}

// failedOver: the sentinels agreed on a new master, it answers as one and
// the other replicas follow it.
func failedOver(o *Observation) Finding {
	r := o.Failover
	if r != nil && r.ConvergedMS >= 0 && r.NewMaster.Service != "" && r.NewMaster.Service != o.OldMaster.Service {
		return pass("failedOver", o.OldMaster.Service, r.NewMaster.Service, at(r.ConvergedMS), strconv.FormatInt(r.Epoch, 10))
	}
	return fail("failedOver", o.why())
}

// why says what the watch ended with, when no failover converged.
func (o *Observation) why() string {
	switch {
	case o.NoFailover != nil:
		return strings.Join(o.NoFailover.Reasons, "; ")
	case o.WatchError != nil:
		return o.WatchError.Error()
	}
	return "the watch did not run"
}

// oneElection: one new epoch: the first election was won.
func oneElection(o *Observation) Finding {
	epochs := o.epochs()
	if len(epochs) == 1 {
		return pass("oneElection", epochs[0])
	}
	return fail("oneElection", strconv.Itoa(len(epochs)), strings.Join(epochs, ", "))
}

// epochs lists the new epochs the sentinels announced, in order.
func (o *Observation) epochs() []string {
	var out []string
	for _, e := range o.events("+new-epoch") {
		if !slices.Contains(out, e.Detail) {
			out = append(out, e.Detail)
		}
	}
	return out
}

// restarted: the old master's process is a new one (its run_id changed).
func restarted(o *Observation) Finding {
	switch {
	case !o.OldInfo.Reachable:
		return fail("restarted", o.OldMaster.Service, "it does not answer: "+o.OldInfo.Error)
	case o.OldInfo.RunID == o.RunIDBefore:
		return fail("restarted", o.OldMaster.Service, "its run_id did not change")
	}
	return pass("restarted", o.OldMaster.Service, short(o.RunIDBefore), short(o.OldInfo.RunID))
}

func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// noOdown: no sentinel called the master objectively down.
func noOdown(o *Observation) Finding {
	if ev := o.about("+odown", "master"); len(ev) > 0 {
		return fail("noOdown", ev[0].Sentinel, at(ev[0].AtMS))
	}
	return pass("noOdown")
}

// noFailover: the sentinels still name the old master, no +switch-master,
// and the master's config epoch did not move.
func noFailover(o *Observation) Finding {
	if ev := o.events("+switch-master"); len(ev) > 0 {
		return fail("noFailover", ev[0].Sentinel+" published +switch-master at "+at(ev[0].AtMS))
	}
	if o.Failover != nil {
		return fail("noFailover", "the sentinels agreed on "+o.Failover.NewMaster.Service)
	}
	epoch, answering := int64(0), 0
	for _, v := range o.Views {
		if !v.Reachable {
			continue
		}
		answering++
		if v.MasterAddr != o.OldMaster.Addr.String() {
			return fail("noFailover", fmt.Sprintf("%s names %s as master", v.Service, o.Names.Addr(v.MasterAddr)))
		}
		epoch = max(epoch, v.ConfigEpoch)
	}
	if answering == 0 {
		return fail("noFailover", "no sentinel answers at the end")
	}
	if epoch != o.EpochBefore {
		return fail("noFailover", fmt.Sprintf("the config epoch went from %d to %d", o.EpochBefore, epoch))
	}
	why := "no sentinel started one"
	if o.NoFailover != nil && len(o.NoFailover.Reasons) > 0 {
		why = strings.Join(o.NoFailover.Reasons, "; ")
	}
	return pass("noFailover", o.OldMaster.Service, strconv.FormatInt(epoch, 10), why)
}

// reacted: the reaction to an event mid-failover was carried out.
func reacted(o *Observation) Finding {
	for _, d := range o.Steps {
		if d.Trigger != "" && d.Error == "" {
			return pass("reacted", d.What, strings.Join(d.Services, ", "), d.Trigger, at(d.AtMS))
		}
	}
	return fail("reacted", strings.Join(o.Reactions, ", "))
}

// survivorPromoted: the new master is the replica that was not faulted.
func survivorPromoted(o *Observation) Finding {
	killed := o.faulted(string(fault.Kill))
	r := o.Failover
	if r == nil || r.NewMaster.Service == "" {
		return fail("survivorPromoted", "none", strings.Join(killed, ", "))
	}
	if slices.Contains(killed, r.NewMaster.Service) {
		return fail("survivorPromoted", r.NewMaster.Service, strings.Join(killed, ", "))
	}
	return pass("survivorPromoted", r.NewMaster.Service, strings.Join(killed, ", "))
}

// laterEpoch: the failover completed in an epoch after the first attempt.
func laterEpoch(o *Observation) Finding {
	epochs := o.epochs()
	if o.Failover == nil || len(epochs) == 0 {
		return fail("laterEpoch", strings.Join(epochs, ", "), "-")
	}
	first, _ := strconv.ParseInt(epochs[0], 10, 64)
	if o.Failover.Epoch > first {
		return pass("laterEpoch", epochs[0], strconv.FormatInt(o.Failover.Epoch, 10))
	}
	return fail("laterEpoch", epochs[0], strconv.FormatInt(o.Failover.Epoch, 10))
}

// noGoodReplica: the leader gave up for want of a replica to promote.
func noGoodReplica(o *Observation) Finding {
	if ev := o.events("-failover-abort-no-good-slave"); len(ev) > 0 {
		return pass("noGoodReplica", ev[0].Sentinel, at(ev[0].AtMS))
	}
	return fail("noGoodReplica")
}

// partitionSeen: the partitioned sentinel lost the master (+sdown).
func partitionSeen(o *Observation) Finding {
	cut := o.faulted(string(fault.Loss))
	for _, e := range o.about("+sdown", "master") {
		if slices.Contains(cut, e.Sentinel) {
			return pass("partitionSeen", e.Sentinel, o.OldMaster.Service, at(e.AtMS))
		}
	}
	return fail("partitionSeen", strings.Join(cut, ", "), o.OldMaster.Service)
}

// odownAlone: the sentinel left called the master objectively down.
func odownAlone(o *Observation) Finding {
	if ev := o.about("+odown", "master"); len(ev) > 0 {
		return pass("odownAlone", ev[0].Sentinel, at(ev[0].AtMS))
	}
	return fail("odownAlone", o.OldMaster.Service)
}

// notElected: nobody was elected leader.
func notElected(o *Observation) Finding {
	if ev := o.events("+elected-leader"); len(ev) > 0 {
		return fail("notElected", ev[0].Sentinel, at(ev[0].AtMS))
	}
	if ev := o.events("-failover-abort-not-elected"); len(ev) > 0 {
		return pass("notElected", ev[0].Sentinel+" published -failover-abort-not-elected at "+at(ev[0].AtMS))
	}
	return pass("notElected", "no +elected-leader")
}

// crashed lists the armed sentinels whose containers no longer run.
func (o *Observation) crashed() []string {
	var out []string
	for _, s := range o.faulted("crash-after") {
		if st, ok := o.Containers[s]; ok && st != "running" {
			out = append(out, s)
		}
	}
	return out
}

// leaderCrashed: an armed sentinel crashed while it led the failover: the
// others had voted it leader and, for crash-after-promotion, it had sent
// the promotion. Its last event is shown.
func leaderCrashed(o *Observation) Finding {
	promotion := len(o.faulted(string(fault.CrashAfterPromotion))) > 0
	for _, s := range o.crashed() {
		voted, promoting, last := false, false, failover.Event{}
		for _, e := range o.Events {
			if e.AtMS < 0 {
				continue
			}
			if f := strings.Fields(e.Detail); e.Type == "+vote-for-leader" && e.Sentinel != s && len(f) > 0 && o.Names.ID(f[0]) == s {
				voted = true
			}
			if e.Sentinel == s {
				last = e
				promoting = promoting || e.Type == "+failover-state-wait-promotion" || e.Type == "+promoted-slave"
			}
		}
		if voted && (!promotion || promoting) {
			return pass("leaderCrashed", s, last.Type, at(last.AtMS))
		}
	}
	return fail("leaderCrashed", strings.Join(o.crashed(), ", "))
}

// otherLeader: a sentinel that did not crash completed the failover.
func otherLeader(o *Observation) Finding {
	r := o.Failover
	if r == nil || r.Leader == "" {
		return fail("otherLeader", "none")
	}
	if slices.Contains(o.crashed(), r.Leader) {
		return fail("otherLeader", r.Leader)
	}
	return pass("otherLeader", r.Leader, strconv.FormatInt(r.Epoch, 10))
}

// splitBrain: the isolated old master kept acknowledging writes from a
// client on its side.
func splitBrain(o *Observation) Finding {
	if o.Load == nil || o.Load.Isolated == nil || o.Load.Isolated.Acked == 0 {
		return fail("splitBrain", o.OldMaster.Service)
	}
	iso := o.Load.Isolated
	return pass("splitBrain", o.OldMaster.Service, strconv.Itoa(iso.Acked), strconv.Itoa(iso.Attempted))
}

// splitBrainBounded: min-replicas-to-write made it refuse writes soon
// after its replicas were gone: within min-replicas-max-lag plus the
// replicas' 1 s acknowledgement period, the 1 s check and a second of
// rounding.
func splitBrainBounded(o *Observation) Finding {
	bound := o.MaxLag.Milliseconds() + 3000
	if o.Load == nil || o.Load.Isolated == nil {
		return fail("splitBrainBounded", "0", "-", at(bound))
	}
	iso := o.Load.Isolated
	if iso.Refused == 0 || iso.LastAckMS > bound {
		return fail("splitBrainBounded", strconv.Itoa(iso.Refused), at(iso.LastAckMS), at(bound))
	}
	return pass("splitBrainBounded", strconv.Itoa(iso.Refused), at(iso.LastAckMS), at(bound))
}

// splitBrainLoss: once it rejoined, what it had acknowledged on its own
// was counted, and is gone.
func splitBrainLoss(o *Observation) Finding {
	if o.Revive == nil || o.Revive.SplitBrain == nil {
		why := "revive did not count it"
		if o.ReviveError != "" {
			why = o.ReviveError
		}
		return fail("splitBrainLoss", why)
	}
	d := o.Revive.SplitBrain
	return pass("splitBrainLoss", d.OldMaster, strconv.Itoa(d.Lost), strconv.Itoa(d.Acked))
}

// tilted: the paused sentinel entered TILT once it resumed.
func tilted(o *Observation) Finding {
	paused := o.faulted(string(fault.Pause))
	for _, e := range o.events("+tilt") {
		if slices.Contains(paused, e.Sentinel) {
			return pass("tilted", e.Sentinel, at(e.AtMS))
		}
	}
	return fail("tilted", strings.Join(paused, ", "))
}

// noDetection: a manual failover needs no failure detection.
func noDetection(o *Observation) Finding {
	if ev := o.about("+odown", "master"); len(ev) > 0 {
		return fail("noDetection", ev[0].Sentinel, at(ev[0].AtMS))
	}
	return pass("noDetection")
}

// leaderAsked: the sentinel asked led the failover.
func leaderAsked(o *Observation) Finding {
	asked := o.faulted("SENTINEL FAILOVER")
	if o.Failover != nil && slices.Contains(asked, o.Failover.Leader) {
		return pass("leaderAsked", o.Failover.Leader)
	}
	leader := "none"
	if o.Failover != nil && o.Failover.Leader != "" {
		leader = o.Failover.Leader
	}
	return fail("leaderAsked", strings.Join(asked, ", "), leader)
}

// oldMasterServes: the old master, cut off from the sentinels only, still
// answers as a master: two masters.
func oldMasterServes(o *Observation) Finding {
	if o.OldInfo.Reachable && o.OldInfo.Role == topology.Master {
		return pass("oldMasterServes", o.OldMaster.Service)
	}
	state := string(o.OldInfo.Role)
	if !o.OldInfo.Reachable {
		state = "does not answer: " + o.OldInfo.Error
	}
	return fail("oldMasterServes", o.OldMaster.Service, state)
}
