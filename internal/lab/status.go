package lab

import (
	"context"
	"fmt"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/server"
)

// Report is one view of the lab: containers, what every node says about
// replication, and what every sentinel thinks. Nodes that are down are
// shown as down.
type Report struct {
	Lab        string `json:"lab"`
	MasterName string `json:"master_name"`
	Healthy    bool   `json:"healthy"`
	// Server is what the data nodes run, as their INFO says ("Redis
	// 6.2.16"), each server with its nodes if they differ; "" when no node
	// answers. Image is the image the lab was started with.
	Server    string           `json:"server"`
	Image     string           `json:"image"`
	Master    *NodeRef         `json:"master"`
	Nodes     []NodeStatus     `json:"nodes"`
	Sentinels []SentinelStatus `json:"sentinels"`
	// Problems are the health conditions that do not hold.
	Problems []string `json:"problems"`
}

// NodeRef names a node.
type NodeRef struct {
	Service string `json:"service"`
	Address string `json:"address"`
}

// NodeStatus is one data node.
type NodeStatus struct {
	Service string `json:"service"`
	// State is the container's: running, exited, paused, missing, ...
	State string `json:"state"`
	// Network is "connected", or "cut off" when the node was moved off
	// the lab network.
	Network           string `json:"network"`
	Role              string `json:"role"`
	Address           string `json:"address"`
	MasterService     string `json:"master_service,omitempty"`
	MasterLinkStatus  string `json:"master_link_status"`
	Offset            int64  `json:"offset"`
	Lag               *int64 `json:"lag,omitempty"`
	ConnectedReplicas int    `json:"connected_replicas"`
	ReplID            string `json:"replid,omitempty"`
	// Server is the node's server and version, when it answers.
	Server string `json:"server,omitempty"`
	Error  string `json:"error,omitempty"`
}

// SentinelStatus is one sentinel's view.
type SentinelStatus struct {
	Service       string `json:"service"`
	State         string `json:"state"`
	Network       string `json:"network"`
	Address       string `json:"address"`
	MasterAddress string `json:"master_address"`
	MasterService string `json:"master_service,omitempty"`
	Flags         string `json:"flags,omitempty"`
	Replicas      int    `json:"replicas"`
	Sentinels     int    `json:"sentinels"`
	Epoch         int64  `json:"epoch"`
	Tilt          bool   `json:"tilt"`
	QuorumOK      bool   `json:"quorum_ok"`
	QuorumReply   string `json:"quorum_reply,omitempty"`
	Error         string `json:"error,omitempty"`
}

// Status inspects the lab.
func (e *Env) Status(ctx context.Context, l *Lab) (*Report, error) {
	if _, err := e.Engine.Ping(ctx); err != nil {
		return nil, err
	}
	containers, err := e.Containers(ctx, l)
	if err != nil {
		return nil, err
	}
	if len(containers) == 0 {
		// Nothing to ask: every node is missing.
		r := BuildReport(l, containers, notRunning(l))
		r.Problems = []string{fmt.Sprintf("lab %q is not running: no container carries its labels; start it with `sentinel-lab up`", l.Config.Name)}
		return r, nil
	}
	snap := e.snapshot(ctx, l)
	return BuildReport(l, containers, snap), nil
}

// BuildReport assembles the report from the containers and a snapshot.
func BuildReport(l *Lab, containers map[string]engine.Container, snap probe.Snapshot) *Report {
	t := l.Topology
	h := probe.Evaluate(t, snap)
	r := &Report{Lab: t.Name, MasterName: t.MasterName, Healthy: h.Healthy, Problems: h.Problems, Image: l.Image}
	if r.Problems == nil {
		r.Problems = []string{}
	}
	if h.HasMaster {
		r.Master = &NodeRef{Service: h.Master.Service, Address: h.Master.Addr.String()}
	}
	service := func(addr string) string {
		if n, ok := t.NodeAt(addr); ok {
			return n.Service
		}
		return ""
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
			Service: n.Service, State: state, Network: net, Role: n.Role, Address: n.Address,
			MasterService: service(n.MasterAddr), MasterLinkStatus: n.MasterLinkStatus,
			Offset: n.Offset, ConnectedReplicas: n.ConnectedReplicas, ReplID: n.ReplID,
			Server: n.Server.String(),
		}
		if !n.Reachable {
			ns.Role, ns.Error = "down", n.Error
		}
		if lag, ok := lags[n.Address]; ok && n.Role == "replica" {
			ns.Lag = &lag
		}
		r.Nodes = append(r.Nodes, ns)
	}
	for _, v := range snap.Sentinels {
		state, net := containerState(containers, v.Service, network)
		ss := SentinelStatus{
			Service: v.Service, State: state, Network: net, Address: v.Address,
			MasterAddress: v.MasterAddr, MasterService: service(v.MasterAddr), Flags: v.Flags,
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
