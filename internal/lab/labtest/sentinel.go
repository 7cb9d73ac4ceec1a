package labtest

import (
	"fmt"
	"sync"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/probe/probetest"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// Sentinel makes the fake nodes fail over the way Sentinel does, for tests
// of what runs round after round (soak, the commands): when the master's
// container stops answering, after DownAfter + Detect the sentinels
// publish the failover's events, the first replica that answers is
// promoted and every sentinel names it, and the other replicas follow it;
// a former master that comes back is made a replica of the current one
// after Rejoin.
type Sentinel struct {
	// Detect is how long after down-after the first sentinel names the new
	// master; the others agree 50 ms later.
	Detect time.Duration
	// Rejoin is how long a former master that is back takes to become a
	// replica.
	Rejoin time.Duration
	// ExtraEpochs are epochs added to each failover, as an election that
	// had to be retried publishes them.
	ExtraEpochs int

	fx        *Lab
	mu        sync.Mutex
	master    string
	epoch     int64
	failovers int
}

// SimulateSentinel starts the simulation on the lab's fakes.
func (fx *Lab) SimulateSentinel(s *Sentinel) *Sentinel {
	s.fx, s.master = fx, fx.Session.Lab.Topology.InitialMaster().Service
	if s.Detect == 0 {
		s.Detect = 200 * time.Millisecond
	}
	if s.Rejoin == 0 {
		s.Rejoin = 500 * time.Millisecond
	}
	l := fx.Session.Lab
	fx.Engine.OnChange(func(c engine.Container, removed bool) { s.changed(c.Service, fx.follow(l, c, removed)) })
	return s
}

// Failovers counts the failovers simulated so far.
func (s *Sentinel) Failovers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failovers
}

func (s *Sentinel) changed(service string, down bool) {
	t := s.fx.Session.Lab.Topology
	n, ok := t.Node(service)
	if !ok || n.IsSentinel() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if down && service == s.master {
		s.failover(t)
		return
	}
	if !down && service != s.master {
		master := s.master
		s.fx.Nodes.After(s.Rejoin, func(st *probetest.State) { st.Follow(master, service) })
	}
}

// failover schedules the failover of s.master; the caller holds mu.
func (s *Sentinel) failover(t *topology.Lab) {
	old, _ := t.Node(s.master)
	var next topology.Node
	for _, n := range t.DataNodes() {
		if n != old && s.fx.Nodes.Answers(n.Service) {
			next = n
			break
		}
	}
	if next.Service == "" {
		// No replica to promote: the leader gives up, as Sentinel does.
		s.noGoodReplica(t, old)
		return
	}
	s.master = next.Service
	s.failovers++
	first := s.epoch + 1
	s.epoch += 1 + int64(s.ExtraEpochs)
	epoch := s.epoch
	sentinels := t.Sentinels()
	leader := sentinels[0].Service
	d := time.Duration(s.fx.Session.Lab.Config.DownAfterMS()) * time.Millisecond
	master := fmt.Sprintf("master %s %s %d", t.MasterName, old.Addr.Addr(), old.Addr.Port())
	replica := fmt.Sprintf("slave %s %s %d @ %s %s %d", next.Addr, next.Addr.Addr(), next.Addr.Port(), t.MasterName, old.Addr.Addr(), old.Addr.Port())
	switched := fmt.Sprintf("%s %s %d %s %d", t.MasterName, old.Addr.Addr(), old.Addr.Port(), next.Addr.Addr(), next.Addr.Port())
	s.fx.Nodes.After(d, func(st *probetest.State) {
		for _, sn := range sentinels {
			st.Publish(sn.Service, "+sdown", master)
		}
		st.Publish(leader, "+odown", master+" #quorum 3/2")
		for e := first; e <= epoch; e++ {
			st.Publish(leader, "+new-epoch", fmt.Sprint(e))
		}
		st.Publish(leader, "+try-failover", master)
		for _, sn := range sentinels[1:] {
			st.Publish(sn.Service, "+vote-for-leader", fmt.Sprintf("%s %d", st.SentinelID(leader), epoch))
		}
		st.Publish(leader, "+elected-leader", master)
		st.Publish(leader, "+selected-slave", replica)
	})
	s.fx.Nodes.After(d+s.Detect, func(st *probetest.State) {
		st.Promote(next.Service)
		st.Names(next.Service, leader)
		st.Publish(leader, "+promoted-slave", replica)
	})
	s.fx.Nodes.After(d+s.Detect+50*time.Millisecond, func(st *probetest.State) {
		for _, n := range t.DataNodes() {
			if n != old && n != next {
				st.Follow(next.Service, n.Service)
			}
		}
		for _, sn := range sentinels {
			st.Names(next.Service, sn.Service)
			st.Epoch(epoch, sn.Service)
			if sn.Service != leader {
				st.Publish(sn.Service, "+config-update-from", fmt.Sprintf("sentinel %s %s %d @ %s", st.SentinelID(leader), sentinels[0].Addr.Addr(), sentinels[0].Addr.Port(), master[len("master "):]))
			}
			st.Publish(sn.Service, "+switch-master", switched)
		}
		st.Publish(leader, "+failover-end", master)
	})
}

// noGoodReplica publishes a failover attempt that finds no replica.
func (s *Sentinel) noGoodReplica(t *topology.Lab, old topology.Node) {
	sentinels := t.Sentinels()
	leader := sentinels[0].Service
	d := time.Duration(s.fx.Session.Lab.Config.DownAfterMS()) * time.Millisecond
	master := fmt.Sprintf("master %s %s %d", t.MasterName, old.Addr.Addr(), old.Addr.Port())
	epoch := s.epoch + 1
	s.fx.Nodes.After(d, func(st *probetest.State) {
		st.Publish(leader, "+sdown", master)
		st.Publish(leader, "+odown", master+" #quorum 2/2")
		st.Publish(leader, "+new-epoch", fmt.Sprint(epoch))
		st.Publish(leader, "+try-failover", master)
		st.Publish(leader, "+elected-leader", master)
		st.Publish(leader, "+failover-state-select-slave", master)
		st.Publish(leader, "-failover-abort-no-good-slave", master)
	})
}
