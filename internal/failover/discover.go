package failover

import (
	"context"
	"errors"
	"fmt"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// Discovery is what kill-master learns before it faults anything: the
// lab's containers, what every sentinel thinks and who the master is.
type Discovery struct {
	Containers map[string]engine.Container
	Views      []probe.SentinelView
	Master     topology.Node
}

// RefusedError is a kill-master (or revive) that would not do what was
// asked, with why and what to do instead.
type RefusedError struct{ Reason string }

func (e *RefusedError) Error() string { return e.Reason }

// Discover asks the sentinels who the master is and checks it can be
// faulted: a majority of sentinels answer (unless force) and its container
// runs on the lab network.
func Discover(ctx context.Context, s *lab.Session, force bool) (*Discovery, error) {
	containers, err := labContainers(ctx, s, "")
	if err != nil {
		return nil, err
	}
	d := &Discovery{Containers: containers, Views: probe.SentinelViews(ctx, s.Nodes(), s.Lab.Topology)}
	if d.Master, err = CurrentMaster(s.Lab.Topology, d.Views, force); err != nil {
		return nil, err
	}
	c, ok := containers[d.Master.Service]
	if !ok || c.State != engine.StateRunning {
		state := engine.StateMissing
		if ok {
			state = c.State
		}
		return nil, &RefusedError{Reason: fmt.Sprintf("the master %s is already down (container %s); bring it back with `sentinel-lab revive` first", d.Master.Service, state)}
	}
	if _, on := c.Addresses[s.Lab.NetworkName()]; !on {
		return nil, &RefusedError{Reason: fmt.Sprintf("the master %s is already cut off from the lab network; `sentinel-lab revive` reconnects it", d.Master.Service)}
	}
	return d, nil
}

// Names maps what the sentinels' events mention to services.
func (d *Discovery) Names(t *topology.Lab) Names { return namesOf(t, d.Views) }

// CurrentMaster is the node most answering sentinels name. It refuses when
// too few sentinels answer to elect a failover leader, unless force.
func CurrentMaster(t *topology.Lab, views []probe.SentinelView, force bool) (topology.Node, error) {
	vote := probe.MasterVote(views)
	if vote.Answering == 0 {
		return topology.Node{}, &RefusedError{Reason: fmt.Sprintf("none of the %d sentinels answers, so nobody can say who the master is or fail it over; `sentinel-lab revive` or `sentinel-lab up` first", vote.Total)}
	}
	if majority := config.Majority(vote.Total); vote.Answering < majority && !force {
		return topology.Node{}, &RefusedError{Reason: fmt.Sprintf(
			"only %d of %d sentinels answer; electing a failover leader needs a majority (%d), so killing the master would leave the lab without one; revive the sentinels first (`sentinel-lab revive`), or pass --force to try anyway",
			vote.Answering, vote.Total, majority)}
	}
	node, ok := t.NodeAt(vote.Addr)
	if !ok || node.IsSentinel() {
		return topology.Node{}, fmt.Errorf("the sentinels name %s as master, which is not a data node of this lab", vote.Addr)
	}
	return node, nil
}

// labContainers checks the engine answers and lists the lab's containers,
// refusing a lab that is not running; why says what that means for the
// command (", so there is nothing to revive").
func labContainers(ctx context.Context, s *lab.Session, why string) (map[string]engine.Container, error) {
	containers, err := s.RunningContainers(ctx)
	var nr *lab.NotRunningError
	if errors.As(err, &nr) {
		nr.Why = why
		return nil, &RefusedError{Reason: nr.Error()}
	}
	return containers, err
}

func namesOf(t *topology.Lab, views []probe.SentinelView) Names {
	n := Names{ByAddr: map[string]string{}, ByID: map[string]string{}}
	for _, node := range t.Nodes {
		n.ByAddr[node.Addr.String()] = node.Service
		n.ByAddr[node.Announced()] = node.Service // events name nodes as they announce themselves
	}
	for _, v := range views {
		if v.MyID != "" {
			n.ByID[v.MyID] = v.Service
		}
	}
	return n
}
