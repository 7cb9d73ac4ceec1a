// Package probe is the Redis side of the lab: Nodes, everything asked of a
// lab's nodes and sentinels (INFO of every data node, SENTINEL MASTER /
// REPLICAS / SENTINELS / CKQUORUM of every sentinel, their events, the
// load writer's clients, raw commands through Do), and Prober, which asks
// them with go-redis through one dialer.
package probe

import (
	"context"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sentinel-lab/sentinel-lab/internal/server"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

func init() {
	// go-redis logs failed dials to stderr; a lab whose nodes are faulted on
	// purpose would print them mid-report. Errors reach callers anyway.
	redis.SetLogger(quietLogger{})
}

type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

// Timeouts keep one dead node from slowing a whole probe.
const (
	dialTimeout = 500 * time.Millisecond
	ioTimeout   = time.Second
)

// Prober holds one client per node, reused across polls.
type Prober struct {
	Lab      *topology.Lab
	password string
	dialer   *Dialer

	mu        sync.Mutex
	data      map[string]*redis.Client
	sentinels map[string]*redis.SentinelClient
	servers   servers
}

// New returns a prober of lab's nodes that authenticates with password
// ("" for none) and connects through dialer.
func New(lab *topology.Lab, password string, dialer *Dialer) *Prober {
	return &Prober{
		Lab: lab, password: password, dialer: dialer,
		data: map[string]*redis.Client{}, sentinels: map[string]*redis.SentinelClient{},
	}
}

// Options are the go-redis options of every lab connection: through the
// lab's dialer, with the lab password, no retries (a probe reports what it
// saw) and short timeouts.
func (p *Prober) Options(addr string) *redis.Options {
	return &redis.Options{
		Addr: addr, Password: p.password, Dialer: p.dialer.DialContext,
		DialTimeout: dialTimeout, ReadTimeout: ioTimeout, WriteTimeout: ioTimeout,
		MaxRetries: -1, PoolSize: 2, Protocol: 2, DisableIdentity: true,
	}
}

// Dialer is the dialer every connection goes through.
func (p *Prober) Dialer() *Dialer { return p.dialer }

// Password is the lab password.
func (p *Prober) Password() string { return p.password }

// DataClient returns the client of the data node at addr.
func (p *Prober) DataClient(addr string) *redis.Client {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.data[addr]
	if !ok {
		c = redis.NewClient(p.Options(addr))
		p.data[addr] = c
	}
	return c
}

// SentinelClient returns the client of the sentinel at addr.
func (p *Prober) SentinelClient(addr string) *redis.SentinelClient {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.sentinels[addr]
	if !ok {
		c = redis.NewSentinelClient(p.Options(addr))
		p.sentinels[addr] = c
	}
	return c
}

// Close closes every client.
func (p *Prober) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.data {
		c.Close()
	}
	for _, c := range p.sentinels {
		c.Close()
	}
}

// NodeInfo is what one data node says about itself.
type NodeInfo struct {
	Service   string `json:"service"`
	Address   string `json:"address"`
	Reachable bool   `json:"reachable"`
	Error     string `json:"error,omitempty"`
	// Role is master or replica.
	Role topology.Role `json:"role,omitempty"`
	// MasterAddr is the master a replica follows.
	MasterAddr       string `json:"master_address,omitempty"`
	MasterLinkStatus string `json:"master_link_status,omitempty"`
	// Offset is the replication offset: master_repl_offset of a master,
	// slave_repl_offset of a replica.
	Offset            int64          `json:"offset"`
	ConnectedReplicas int            `json:"connected_replicas"`
	Replicas          []ReplicaEntry `json:"replicas,omitempty"`
	ReplID            string         `json:"replid,omitempty"`
	RunID             string         `json:"run_id,omitempty"`
	// Server is the node's server and version: "Redis 6.2.16".
	Server server.Server `json:"server"`
	// Stats of the resyncs this node served as a master.
	SyncFull       int64 `json:"sync_full"`
	SyncPartialOK  int64 `json:"sync_partial_ok"`
	SyncPartialErr int64 `json:"sync_partial_err"`
}

// Node asks one data node for INFO.
func (p *Prober) Node(ctx context.Context, n topology.Node) NodeInfo {
	ni := NodeInfo{Service: n.Service, Address: n.Addr.String()}
	info, err := p.InfoSections(ctx, p.DataClient(ni.Address), ni.Address, "server", "replication", "stats")
	if err != nil {
		ni.Error = err.Error()
		return ni
	}
	ni.Reachable = true
	ni.RunID, ni.ReplID = info["run_id"], info["master_replid"]
	ni.Server, _ = server.FromInfo(func(k string) string { return info[k] })
	ni.ConnectedReplicas = int(info.Int("connected_slaves"))
	ni.SyncFull, ni.SyncPartialOK, ni.SyncPartialErr = info.Int("sync_full"), info.Int("sync_partial_ok"), info.Int("sync_partial_err")
	ni.Role = topology.RoleFromInfo(info["role"])
	switch ni.Role {
	case topology.Master:
		ni.Offset = info.Int("master_repl_offset")
		ni.Replicas = info.Replicas()
		for i := range ni.Replicas {
			ni.Replicas[i].Addr = p.Lab.InNetwork(ni.Replicas[i].Addr)
		}
	case topology.Replica:
		ni.MasterAddr = p.Lab.InNetwork(net.JoinHostPort(info["master_host"], info["master_port"]))
		ni.MasterLinkStatus = info["master_link_status"]
		ni.Offset = info.Int("slave_repl_offset")
	}
	return ni
}

// SentinelView is what one sentinel thinks of the lab's master.
type SentinelView struct {
	Service   string `json:"service"`
	Address   string `json:"address"`
	Reachable bool   `json:"reachable"`
	Error     string `json:"error,omitempty"`
	// MasterAddr is where the sentinel believes the master is.
	MasterAddr string `json:"master_address,omitempty"`
	// Flags are the master's flags (master, s_down, o_down, ...).
	Flags string `json:"flags,omitempty"`
	// Replicas are the replicas it knows, with their flags.
	Replicas []PeerState `json:"replicas_known,omitempty"`
	// Sentinels are the other sentinels it knows.
	Sentinels []PeerState `json:"sentinels_known,omitempty"`
	// NumReplicas and NumOtherSentinels are SENTINEL MASTER's counts.
	NumReplicas       int   `json:"replicas"`
	NumOtherSentinels int   `json:"sentinels"`
	ConfigEpoch       int64 `json:"config_epoch"`
	// PendingPingMS is how long the sentinel has been waiting for the
	// master to answer a PING (0: none pending); DownAfterMS its
	// down-after-milliseconds for the master.
	PendingPingMS int64  `json:"pending_ping_ms"`
	DownAfterMS   int64  `json:"down_after_ms"`
	Tilt          bool   `json:"tilt"`
	QuorumOK      bool   `json:"quorum_ok"`
	QuorumReply   string `json:"quorum_reply,omitempty"`
	Quorum        int    `json:"quorum"`
	MyID          string `json:"myid,omitempty"`
}

// PeerState is a replica or sentinel as a sentinel lists it.
type PeerState struct {
	Address string `json:"address"`
	Flags   string `json:"flags"`
	RunID   string `json:"run_id,omitempty"`
	// PendingPingMS is how long the sentinel has waited for the peer to
	// answer a PING (SENTINEL REPLICAS/SENTINELS' last-ping-sent), 0 when
	// none is pending.
	PendingPingMS int64 `json:"pending_ping_ms,omitempty"`
}

// Sentinel asks one sentinel about the lab's master.
func (p *Prober) Sentinel(ctx context.Context, n topology.Node) SentinelView {
	v := SentinelView{Service: n.Service, Address: n.Addr.String()}
	c := p.SentinelClient(v.Address)
	name := p.Lab.MasterName
	m, err := c.Master(ctx, name).Result()
	if err != nil {
		v.Error = err.Error()
		return v
	}
	v.Reachable = true
	v.MasterAddr = p.Lab.InNetwork(net.JoinHostPort(m["ip"], m["port"]))
	v.Flags = m["flags"]
	v.NumReplicas, _ = strconv.Atoi(m["num-slaves"])
	v.NumOtherSentinels, _ = strconv.Atoi(m["num-other-sentinels"])
	v.ConfigEpoch, _ = strconv.ParseInt(m["config-epoch"], 10, 64)
	v.PendingPingMS, _ = strconv.ParseInt(m["last-ping-sent"], 10, 64)
	v.DownAfterMS, _ = strconv.ParseInt(m["down-after-milliseconds"], 10, 64)
	v.Quorum, _ = strconv.Atoi(m["quorum"])
	if rs, err := c.Replicas(ctx, name).Result(); err == nil {
		v.Replicas = peers(p.Lab, rs)
	}
	if ss, err := c.Sentinels(ctx, name).Result(); err == nil {
		v.Sentinels = peers(p.Lab, ss)
	}
	v.Tilt, v.MyID = sentinelSelf(ctx, c)
	reply, err := c.CkQuorum(ctx, name).Result()
	if err != nil {
		v.QuorumReply = err.Error()
	} else {
		v.QuorumReply, v.QuorumOK = reply, strings.HasPrefix(reply, "OK")
	}
	return v
}

// peers lists what a sentinel knows by in-network address, whatever the
// lab's addressing made it announce.
func peers(lab *topology.Lab, list []map[string]string) []PeerState {
	out := make([]PeerState, 0, len(list))
	for _, m := range list {
		addr := lab.InNetwork(net.JoinHostPort(m["ip"], m["port"]))
		pending, _ := strconv.ParseInt(m["last-ping-sent"], 10, 64)
		out = append(out, PeerState{Address: addr, Flags: m["flags"], RunID: m["runid"], PendingPingMS: pending})
	}
	return out
}

// sentinelSelf reads whether a sentinel is in TILT mode (INFO sentinel) and
// its id (SENTINEL MYID, which other sentinels know it by).
func sentinelSelf(ctx context.Context, c *redis.SentinelClient) (tilt bool, myid string) {
	info := redis.NewStringCmd(ctx, "info", "sentinel")
	if c.Process(ctx, info) == nil {
		tilt = ParseInfo(info.Val())["sentinel_tilt"] == "1"
	}
	id := redis.NewStringCmd(ctx, "sentinel", "myid")
	if c.Process(ctx, id) == nil {
		myid = id.Val()
	}
	return tilt, myid
}
