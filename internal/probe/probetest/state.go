package probetest

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/server"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// State is the model the fake answers from. Steps change it through its
// methods; views and INFO are derived from it on every question.
type State struct {
	f         *Fake
	lab       *topology.Lab
	at        time.Time
	nodes     map[string]*dataNode
	sentinels map[string]*sentinel
	server    server.Server
	// views and infos change what is derived, for what the model does not
	// cover.
	views map[string]func(*probe.SentinelView)
	infos map[string]func(*probe.NodeInfo)
}

type dataNode struct {
	topology.Node
	down     bool
	role     topology.Role
	master   string // address of the master a replica follows
	linkDown bool
	offset   int64
	replID   string
	keys     map[string]bool
	syncFull int64
}

type sentinel struct {
	topology.Node
	down    bool
	named   string // address of the master it names
	flags   string // the master's flags, "" for derived
	epoch   int64
	tilt    bool
	myid    string
	quorum  string // CKQUORUM reply, "" for derived
	pending int64
	debug   map[string]int64 // SENTINEL DEBUG values set since it started
}

func newState(lab *topology.Lab, f *Fake) *State {
	s := &State{
		f: f, lab: lab, nodes: map[string]*dataNode{}, sentinels: map[string]*sentinel{}, server: mustServer("Redis 7.0.15"),
		views: map[string]func(*probe.SentinelView){}, infos: map[string]func(*probe.NodeInfo){},
	}
	master := lab.InitialMaster()
	for _, n := range lab.DataNodes() {
		d := &dataNode{Node: n, role: topology.Replica, master: master.Addr.String(), replID: "replid-1", keys: map[string]bool{}}
		if n == master {
			d.role, d.master = topology.Master, ""
		}
		s.nodes[n.Service] = d
	}
	for _, n := range lab.Sentinels() {
		s.sentinels[n.Service] = &sentinel{Node: n, named: master.Addr.String(), myid: fmt.Sprintf("%040d", n.Index)}
	}
	return s
}

// At is the time the step runs at.
func (s *State) At() time.Time { return s.at }

// Down makes a node or sentinel stop answering.
func (s *State) Down(services ...string) { s.setDown(true, services) }

// Up makes it answer again.
func (s *State) Up(services ...string) { s.setDown(false, services) }

func (s *State) setDown(down bool, services []string) {
	for _, svc := range services {
		switch {
		case s.nodes[svc] != nil:
			s.nodes[svc].down = down
		case s.sentinels[svc] != nil:
			s.sentinels[svc].down = down
		default:
			panic("probetest: no node " + svc)
		}
	}
}

// Names makes sentinels name service as master.
func (s *State) Names(service string, sentinels ...string) {
	addr := s.node(service).Addr.String()
	for _, name := range sentinels {
		s.sentinel(name).named = addr
	}
}

// Promote makes a data node a master with a new replication id; the other
// replicas keep following whom they followed (Follow moves them).
func (s *State) Promote(service string) {
	n := s.node(service)
	n.role, n.master, n.linkDown = topology.Master, "", false
	n.replID = fmt.Sprintf("replid-%s", service)
}

// Follow makes replicas follow master with their link up.
func (s *State) Follow(master string, replicas ...string) {
	addr := s.node(master).Addr.String()
	for _, r := range replicas {
		n := s.node(r)
		n.role, n.master, n.linkDown = topology.Replica, addr, false
		for k := range s.node(master).keys {
			n.keys[k] = true
		}
	}
}

// LinkDown makes a replica's link to its master down (a resync in progress
// or a master gone).
func (s *State) LinkDown(replicas ...string) {
	for _, r := range replicas {
		s.node(r).linkDown = true
	}
}

// Flags sets the master's flags a sentinel reports ("" derives them).
func (s *State) Flags(flags string, sentinels ...string) {
	for _, name := range sentinels {
		s.sentinel(name).flags = flags
	}
}

// Epoch sets the config epoch sentinels report.
func (s *State) Epoch(epoch int64, sentinels ...string) {
	for _, name := range sentinels {
		s.sentinel(name).epoch = epoch
	}
}

// Tilt puts sentinels in TILT mode, or out of it.
func (s *State) Tilt(on bool, sentinels ...string) {
	for _, name := range sentinels {
		s.sentinel(name).tilt = on
	}
}

// Quorum sets the CKQUORUM reply of sentinels ("" derives it).
func (s *State) Quorum(reply string, sentinels ...string) {
	for _, name := range sentinels {
		s.sentinel(name).quorum = reply
	}
}

// Publish sends an event from a sentinel to its subscribers, stamped with
// the step's time.
func (s *State) Publish(sentinel, channel, payload string) {
	s.sentinel(sentinel)
	for _, sub := range s.f.subs[sentinel] {
		sub.send(probe.Message{Channel: channel, Payload: payload, At: s.at})
	}
}

// View changes what a sentinel answers after it is derived from the
// model; nil removes the change.
func (s *State) View(sentinel string, change func(*probe.SentinelView)) {
	s.sentinel(sentinel)
	s.views[sentinel] = change
}

// Info changes what a data node answers after it is derived from the
// model; nil removes the change.
func (s *State) Info(node string, change func(*probe.NodeInfo)) {
	s.node(node)
	s.infos[node] = change
}

// Server sets what every data node runs: "Valkey 8.0.1".
func (s *State) Server(name string) { s.server = mustServer(name) }

func mustServer(name string) server.Server {
	srv, err := server.Parse(name)
	if err != nil {
		panic(err)
	}
	return srv
}

// SentinelID is the myid the fake gives a sentinel.
func (s *State) SentinelID(service string) string { return s.sentinel(service).myid }

// Keys lists the keys a data node holds, in no order.
func (s *State) Keys(service string) []string {
	var out []string
	for k := range s.node(service).keys {
		out = append(out, k)
	}
	return out
}

// Has tells whether a data node holds key.
func (s *State) Has(service, key string) bool { return s.node(service).keys[key] }

// Addr is a node's address, as sentinels name it.
func (s *State) Addr(service string) string { return s.lab.Nodes[s.index(service)].Addr.String() }

func (s *State) index(service string) int {
	for i, n := range s.lab.Nodes {
		if n.Service == service {
			return i
		}
	}
	panic("probetest: no node " + service)
}

func (s *State) node(service string) *dataNode {
	n := s.nodes[service]
	if n == nil {
		panic("probetest: no data node " + service)
	}
	return n
}

func (s *State) sentinel(service string) *sentinel {
	n := s.sentinels[service]
	if n == nil {
		panic("probetest: no sentinel " + service)
	}
	return n
}

func (s *State) isDown(service string) bool {
	if n := s.nodes[service]; n != nil {
		return n.down
	}
	if n := s.sentinels[service]; n != nil {
		return n.down
	}
	return true
}

func (s *State) nodeAt(addr string) *dataNode {
	for _, n := range s.nodes {
		if n.Addr.String() == addr {
			return n
		}
	}
	return nil
}

// nodeInfo is INFO of one data node, derived from the model.
func (s *State) nodeInfo(tn topology.Node) probe.NodeInfo {
	ni := s.deriveInfo(tn)
	if change := s.infos[tn.Service]; change != nil {
		change(&ni)
	}
	return ni
}

func (s *State) deriveInfo(tn topology.Node) probe.NodeInfo {
	ni := probe.NodeInfo{Service: tn.Service, Address: tn.Addr.String()}
	n := s.nodes[tn.Service]
	if n == nil || n.down {
		ni.Error = ErrDown.Error()
		return ni
	}
	ni.Reachable, ni.Role, ni.ReplID, ni.Server = true, n.role, n.replID, s.server
	ni.Offset, ni.SyncFull = n.offset, n.syncFull
	ni.RunID = "run-" + n.Service
	if n.role == topology.Replica {
		ni.MasterAddr, ni.MasterLinkStatus = n.master, "up"
		if m := s.nodeAt(n.master); n.linkDown || m == nil || m.down || m.role != topology.Master {
			ni.MasterLinkStatus = "down"
		}
		return ni
	}
	for _, r := range s.lab.DataNodes() {
		rn := s.nodes[r.Service]
		if rn.down || rn.role != topology.Replica || rn.master != ni.Address || rn.linkDown {
			continue
		}
		ni.Replicas = append(ni.Replicas, probe.ReplicaEntry{Addr: r.Addr.String(), State: "online", Offset: n.offset})
	}
	ni.ConnectedReplicas = len(ni.Replicas)
	return ni
}

// sentinelView is what one sentinel says, derived from the model: the
// replicas of the master it names and the other sentinels, flagged s_down
// when they do not answer.
func (s *State) sentinelView(tn topology.Node) probe.SentinelView {
	v := s.deriveView(tn)
	if change := s.views[tn.Service]; change != nil {
		change(&v)
	}
	return v
}

func (s *State) deriveView(tn topology.Node) probe.SentinelView {
	v := probe.SentinelView{Service: tn.Service, Address: tn.Addr.String()}
	sn := s.sentinels[tn.Service]
	if sn == nil || sn.down {
		v.Error = ErrDown.Error()
		return v
	}
	v.Reachable, v.MasterAddr, v.ConfigEpoch, v.Tilt, v.MyID = true, sn.named, sn.epoch, sn.tilt, sn.myid
	v.DownAfterMS, v.PendingPingMS = 1000, sn.pending
	v.Quorum = s.lab.Majority()
	v.Flags = sn.flags
	if v.Flags == "" {
		v.Flags = "master"
		if m := s.nodeAt(sn.named); m == nil || m.down {
			v.Flags = "s_down,master"
		}
	}
	for _, r := range s.lab.DataNodes() {
		if r.Addr.String() == sn.named {
			continue
		}
		flags := "slave"
		if s.nodes[r.Service].down {
			flags = "s_down,slave"
		}
		v.Replicas = append(v.Replicas, probe.PeerState{Address: r.Addr.String(), Flags: flags})
	}
	up := 0
	for _, o := range s.lab.Sentinels() {
		if !s.sentinels[o.Service].down {
			up++
		}
		if o.Service == tn.Service {
			continue
		}
		flags := "sentinel"
		if s.sentinels[o.Service].down {
			flags = "s_down,sentinel"
		}
		v.Sentinels = append(v.Sentinels, probe.PeerState{Address: o.Addr.String(), Flags: flags, RunID: s.sentinels[o.Service].myid})
	}
	v.NumReplicas, v.NumOtherSentinels = len(v.Replicas), len(v.Sentinels)
	v.QuorumReply = sn.quorum
	if v.QuorumReply == "" {
		v.QuorumReply = fmt.Sprintf("OK %d usable Sentinels. Quorum and failover authorization can be reached", up)
		if up < s.lab.Majority() {
			v.QuorumReply = fmt.Sprintf("NOQUORUM %d usable Sentinels. Not enough available Sentinels to reach the majority and authorize a failover", up)
		}
	}
	v.QuorumOK = strings.HasPrefix(v.QuorumReply, "OK")
	return v
}

// write applies one client write: to the node at addr, or to the master
// the majority of sentinels name when addr is "".
func (s *State) write(addr, key string, waitReplicas int) error {
	if addr == "" {
		addr = s.namedMaster()
	}
	n := s.nodeAt(addr)
	switch {
	case n == nil || n.down:
		return ErrDown
	case n.role != topology.Master:
		return errors.New("READONLY You can't write against a read only replica.")
	}
	n.keys[key] = true
	n.offset++
	linked := 0
	for _, r := range s.nodes {
		if r.role == topology.Replica && r.master == addr && !r.down && !r.linkDown {
			r.keys[key] = true
			r.offset = n.offset
			linked++
		}
	}
	if waitReplicas > 0 && linked < waitReplicas {
		return probe.ErrNotReplicated
	}
	return nil
}

// namedMaster is the address most answering sentinels name.
func (s *State) namedMaster() string {
	count := map[string]int{}
	best := ""
	for _, n := range s.lab.Sentinels() {
		sn := s.sentinels[n.Service]
		if sn.down {
			continue
		}
		count[sn.named]++
		if c := count[sn.named]; c > count[best] || (c == count[best] && sn.named < best) {
			best = sn.named
		}
	}
	return best
}
