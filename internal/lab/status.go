package lab

import (
	"context"
	"errors"
	"fmt"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/server"
	"github.com/sentinel-lab/sentinel-lab/internal/timers"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// Report is one view of the lab: containers, what every node says about
// replication, and what every sentinel thinks. Nodes that are down are
// shown as down.
type Report struct {
	Lab        string `json:"lab"`
	MasterName string `json:"master_name"`
	// Addressing is what the nodes announce: ip, hostnames or host.
	Addressing string `json:"addressing"`
	Healthy    bool   `json:"healthy"`
	// Server is what the data nodes run, as their INFO says ("Redis
	// 6.2.16"), each server with its nodes if they differ; "" when no node
	// answers. Image is the image the lab was started with.
	Server    string            `json:"server"`
	Image     string            `json:"image"`
	Master    *topology.NodeRef `json:"master"`
	Nodes     []NodeStatus      `json:"nodes"`
	Sentinels []SentinelStatus  `json:"sentinels"`
	// Problems are the health conditions that do not hold.
	Problems []string `json:"problems"`
	// Faults are the faults in place, "node-1: packet filter (loss 30%)":
	// what `sentinel-lab revive` undoes.
	Faults []string `json:"faults"`
	// Timers are the sentinel periods the lab runs: normal or fast.
	Timers timers.Mode `json:"timers"`
}

// AddFault notes a fault in place on service.
func (r *Report) AddFault(service, text string) {
	r.Faults = append(r.Faults, service+": "+text)
	for i := range r.Nodes {
		if r.Nodes[i].Service == service {
			r.Nodes[i].Faults = append(r.Nodes[i].Faults, text)
		}
	}
	for i := range r.Sentinels {
		if r.Sentinels[i].Service == service {
			r.Sentinels[i].Faults = append(r.Sentinels[i].Faults, text)
		}
	}
}

// NodeStatus is one data node.
type NodeStatus struct {
	Service string `json:"service"`
	// State is the container's: running, exited, paused, missing, ...
	State string `json:"state"`
	// Network is "connected", or "cut off" when the node was moved off
	// the lab network.
	Network string        `json:"network"`
	Role    topology.Role `json:"role"`
	Address string        `json:"address"`
	// Announced is the address sentinels hand out for the node, when it
	// is not Address (hostname and host addressing).
	Announced         string `json:"announced,omitempty"`
	MasterService     string `json:"master_service,omitempty"`
	MasterLinkStatus  string `json:"master_link_status"`
	Offset            int64  `json:"offset"`
	Lag               *int64 `json:"lag,omitempty"`
	ConnectedReplicas int    `json:"connected_replicas"`
	ReplID            string `json:"replid,omitempty"`
	// Server is the node's server and version, when it answers.
	Server string `json:"server,omitempty"`
	Error  string `json:"error,omitempty"`
	// Faults are the faults in place on it.
	Faults []string `json:"faults,omitempty"`
}

// SentinelStatus is one sentinel's view.
type SentinelStatus struct {
	Service string `json:"service"`
	State   string `json:"state"`
	Network string `json:"network"`
	Address string `json:"address"`
	// Announced is what the sentinel announces, when it is not Address.
	Announced     string `json:"announced,omitempty"`
	MasterAddress string `json:"master_address"`
	MasterService string `json:"master_service,omitempty"`
	Flags         string `json:"flags,omitempty"`
	Replicas      int    `json:"replicas"`
	Sentinels     int    `json:"sentinels"`
	Epoch         int64  `json:"epoch"`
	Tilt          bool   `json:"tilt"`
	QuorumOK      bool   `json:"quorum_ok"`
	QuorumReply   string `json:"quorum_reply,omitempty"`
	// Timers are the periods it runs (normal, fast, custom), "" when not
	// known (it did not answer).
	Timers timers.Mode `json:"timers,omitempty"`
	Error  string      `json:"error,omitempty"`
	// Faults are the faults in place on it.
	Faults []string `json:"faults,omitempty"`
}

// NotRunningError is a lab with no container at all.
type NotRunningError struct {
	Lab string
	// Why says what that means for the command (", so there is nothing to
	// revive").
	Why string
}

func (e *NotRunningError) Error() string {
	return fmt.Sprintf("lab %q is not running%s; start it with `sentinel-lab up`", e.Lab, e.Why)
}

// RunningContainers checks the engine answers and lists the lab's
// containers, by service; a lab without any is a NotRunningError.
func (s *Session) RunningContainers(ctx context.Context) (map[string]engine.Container, error) {
	if _, err := s.Engine.Ping(ctx); err != nil {
		return nil, err
	}
	containers, err := s.Containers(ctx)
	if err != nil {
		return nil, err
	}
	if len(containers) == 0 {
		return containers, &NotRunningError{Lab: s.Lab.Config.Name}
	}
	return containers, nil
}

// Status inspects the lab.
func (s *Session) Status(ctx context.Context) (*Report, error) {
	l := s.Lab
	containers, err := s.RunningContainers(ctx)
	var nr *NotRunningError
	if errors.As(err, &nr) {
		// Nothing to ask: every node is missing.
		r := BuildReport(l, containers, notRunning(l))
		r.Problems = []string{nr.Error()}
		return r, nil
	}
	if err != nil {
		return nil, err
	}
	r := BuildReport(l, containers, s.Snapshot(ctx))
	r.addTimers(s.ReadTimers(ctx))
	if p, err := s.networkProblem(ctx); err != nil {
		return nil, err
	} else if p != "" {
		r.Healthy, r.Problems = false, append([]string{p}, r.Problems...)
	}
	if l.Config.Swarm() {
		r.Problems = append(r.Problems, s.remoteTasks(ctx, containers)...)
	}
	return r, nil
}

// BuildReport assembles the report from the containers and a snapshot.
func BuildReport(l *Lab, containers map[string]engine.Container, snap probe.Snapshot) *Report {
	t := l.Topology
	h := probe.Evaluate(t, snap)
	r := &Report{Lab: t.Name, MasterName: t.MasterName, Addressing: t.Addressing, Healthy: h.Healthy, Problems: h.Problems, Image: l.Image, Faults: []string{},
		Timers: l.Config.Timers}
	if r.Problems == nil {
		r.Problems = []string{}
	}
	if h.HasMaster {
		ref := h.Master.Ref()
		r.Master = &ref
	}
	lags := map[string]int64{}
	for _, n := range snap.Nodes {
		for _, rep := range n.Replicas {
			lags[rep.Addr] = rep.Lag
		}
	}
	network := l.NetworkName()
	servers := map[string]server.Server{}
	var order []string
	for _, n := range snap.Nodes {
		servers[n.Service] = n.Server
		order = append(order, n.Service)
	}
	r.Server = server.Describe(servers, order)
	for _, n := range snap.Nodes {
		state, net := containerState(containers, n.Service, network)
		ns := NodeStatus{
			Service: n.Service, State: state, Network: net, Role: n.Role, Address: n.Address, Announced: announced(t, n.Service),
			MasterService: t.ServiceAt(n.MasterAddr), MasterLinkStatus: n.MasterLinkStatus,
			Offset: n.Offset, ConnectedReplicas: n.ConnectedReplicas, ReplID: n.ReplID,
			Server: n.Server.String(),
		}
		if !n.Reachable {
			ns.Role, ns.Error = topology.Down, n.Error
		}
		if lag, ok := lags[n.Address]; ok && n.Role == topology.Replica {
			ns.Lag = &lag
		}
		r.Nodes = append(r.Nodes, ns)
	}
	for _, v := range snap.Sentinels {
		state, net := containerState(containers, v.Service, network)
		ss := SentinelStatus{
			Service: v.Service, State: state, Network: net, Address: v.Address, Announced: announced(t, v.Service),
			MasterAddress: v.MasterAddr, MasterService: t.ServiceAt(v.MasterAddr), Flags: v.Flags,
			Replicas: v.NumReplicas, Sentinels: v.NumOtherSentinels, Epoch: v.ConfigEpoch,
			Tilt: v.Tilt, QuorumOK: v.QuorumOK, QuorumReply: v.QuorumReply,
		}
		if !v.Reachable {
			ss.Error = v.Error
		}
		r.Sentinels = append(r.Sentinels, ss)
	}
	return r
}

// addTimers notes which periods each sentinel runs; a sentinel that runs
// others than the lab's (it restarted) makes the lab unhealthy, so it is
// never left slow without a word.
func (r *Report) addTimers(tr timers.Report) {
	for _, st := range tr.Sentinels {
		for i := range r.Sentinels {
			if r.Sentinels[i].Service == st.Service {
				r.Sentinels[i].Timers = st.Runs
			}
		}
	}
	if p := TimersProblem(tr); p != "" {
		r.Healthy, r.Problems = false, append(r.Problems, p)
	}
}

// notRunning is the snapshot of a lab without containers: nobody answers.
func notRunning(l *Lab) probe.Snapshot {
	var s probe.Snapshot
	for _, n := range l.Topology.DataNodes() {
		s.Nodes = append(s.Nodes, probe.NodeInfo{Service: n.Service, Address: n.Addr.String(), Error: "no container"})
	}
	for _, n := range l.Topology.Sentinels() {
		s.Sentinels = append(s.Sentinels, probe.SentinelView{Service: n.Service, Address: n.Addr.String(), Error: "no container"})
	}
	return s
}

// NetworkName is the engine name of the lab network.
func (l *Lab) NetworkName() string { return l.Config.Name + "_lab" }

func containerState(containers map[string]engine.Container, service, network string) (state, net string) {
	c, ok := containers[service]
	if !ok {
		return engine.StateMissing, ""
	}
	if c.State != engine.StateRunning && c.State != engine.StatePaused {
		return c.State, ""
	}
	if _, on := c.Addresses[network]; !on {
		return c.State, "cut off"
	}
	return c.State, "connected"
}

// announced is what the lab's node announces, when that is not its
// in-network address.
func announced(t *topology.Lab, service string) string {
	n, _ := t.Node(service)
	return n.AnnouncedName()
}
