package tour

import (
	"context"
	"fmt"
	"strings"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/server"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// The INFO fields each section shows, in INFO's order, the seed's first.
// A field a server does not have is left out; Valkey 8 names the mode
// server_mode, Redis redis_mode.
var (
	serverFields = []string{"redis_version", "valkey_version", "redis_mode", "server_mode", "process_id", "run_id", "tcp_port", "uptime_in_seconds", "executable", "config_file"}
	replFields   = []string{"role", "master_host", "master_port", "master_link_status", "master_last_io_seconds_ago",
		"master_sync_in_progress", "slave_read_repl_offset", "slave_repl_offset", "slave_priority", "slave_read_only",
		"connected_slaves", "master_replid", "master_replid2", "master_repl_offset", "second_repl_offset",
		"repl_backlog_active", "repl_backlog_size", "repl_backlog_first_byte_offset", "repl_backlog_histlen"}
	sentinelFields = []string{"redis_mode", "server_mode", "sentinel_masters", "sentinel_tilt", "sentinel_running_scripts",
		"sentinel_scripts_queue_length", "sentinel_simulate_failure_flags", "master0"}
)

// pair is one INFO field, in the order INFO lists it.
type pair struct{ name, value string }

// info is one node's INFO, ordered.
type info struct {
	node  topology.Node
	pairs []pair
}

func (i info) get(name string) string {
	for _, p := range i.pairs {
		if p.name == name {
			return p.value
		}
	}
	return ""
}

// fields are the named fields the node has, in the order of names;
// connected_slaves brings slave0, slave1, ... with it.
func (i info) fields(names []string) []Field {
	var out []Field
	for _, n := range names {
		for _, p := range i.pairs {
			if p.name == n || (n == "connected_slaves" && IsSlaveN(p.name)) {
				out = append(out, Field{Node: i.node.Service, Name: p.name, Value: p.value})
			}
		}
	}
	return out
}

// IsSlaveN tells slave0, slave1, ...: the INFO fields of a master's
// replicas.
func IsSlaveN(name string) bool {
	rest, ok := strings.CutPrefix(name, "slave")
	return ok && rest != "" && strings.Trim(rest, "0123456789") == ""
}

// parsePairs reads an INFO reply in order, leaving out section headers.
func parsePairs(raw string) []pair {
	var out []pair
	for _, line := range strings.Split(raw, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		if k, v, ok := strings.Cut(line, ":"); ok {
			out = append(out, pair{k, v})
		}
	}
	return out
}

// askInfo asks n for INFO, one section per call: Redis 6.2 takes no more.
func askInfo(ctx context.Context, nodes probe.Nodes, n topology.Node, sections ...string) (info, error) {
	i := info{node: n}
	for _, sec := range sections {
		reply, err := nodes.Do(ctx, n, "info", sec)
		if err != nil {
			return i, fmt.Errorf("INFO %s of %s: %w", sec, n.Service, err)
		}
		raw, _ := reply.(string)
		i.pairs = append(i.pairs, parsePairs(raw)...)
	}
	return i, nil
}

// around is the lab as the tour found it: the master, one replica of it
// and one sentinel, with their INFO.
type around struct {
	master, replica, sentinel info
	server                    string
	// nodes are the lab's nodes, the sentinels with their myid.
	nodes []Node
}

// lookAround finds the master the sentinels name, a replica linked to it
// and a sentinel that answers, and asks each for INFO.
func lookAround(ctx context.Context, s *lab.Session) (*around, error) {
	t := s.Lab.Topology
	views := probe.SentinelViews(ctx, s.Nodes(), t)
	m, err := failover.CurrentMaster(t, views, false)
	if err != nil {
		return nil, err
	}
	at := &around{}
	ids := map[string]string{}
	for _, v := range views {
		ids[v.Service] = v.MyID
	}
	for _, n := range t.Nodes {
		at.nodes = append(at.nodes, Node{Service: n.Service, Address: n.Addr.String(), ID: ids[n.Service]})
	}
	if at.master, err = askInfo(ctx, s.Nodes(), m, "server", "replication"); err != nil {
		return nil, err
	}
	if srv, ok := server.FromInfo(at.master.get); ok {
		at.server = srv.String()
	}
	for _, n := range t.DataNodes() {
		ni := s.Nodes().Node(ctx, n)
		if n.Service != m.Service && ni.Role == topology.Replica && ni.MasterLinkStatus == "up" {
			if at.replica, err = askInfo(ctx, s.Nodes(), n, "server", "replication"); err != nil {
				return nil, err
			}
			break
		}
	}
	if at.replica.node.Service == "" {
		return nil, fmt.Errorf("no replica of %s has its link up, so there is no sync to show; `sentinel-lab revive` or `sentinel-lab up` first", m.Service)
	}
	for i, v := range views {
		if v.Reachable {
			if at.sentinel, err = askInfo(ctx, s.Nodes(), t.Sentinels()[i], "server", "sentinel"); err != nil {
				return nil, err
			}
			break
		}
	}
	return at, nil
}

// infoSections are the seed's four INFO sections.
func (at *around) infoSections() []*Section {
	server := append(at.master.fields(serverFields), at.sentinel.fields([]string{"redis_mode", "server_mode"})...)
	return []*Section{
		{ID: InfoServer, Fields: server},
		{ID: InfoMaster, Fields: at.master.fields(replFields)},
		{ID: InfoReplica, Fields: at.replica.fields(replFields)},
		{ID: InfoSentinel, Fields: at.sentinel.fields(sentinelFields)},
	}
}

// masterAddr is where the replica says its master is, as REPLICAOF takes it.
func (at *around) masterAddr() (host, port string) {
	return at.replica.get("master_host"), at.replica.get("master_port")
}
