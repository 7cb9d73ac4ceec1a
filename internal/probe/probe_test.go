package probe_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// respServer is a minimal Redis on 127.0.0.1: it answers HELLO with an
// error (so the client falls back to AUTH, as with old servers), checks
// AUTH against password, and hands every other command to answer, which
// returns a raw RESP2 reply.
type respServer struct {
	ln       net.Listener
	password string
	answer   func(args []string) string

	mu   sync.Mutex
	seen []string
}

func serve(t *testing.T, password string, answer func(args []string) string) *respServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &respServer{ln: ln, password: password, answer: answer}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.handle(c)
		}
	}()
	return s
}

func (s *respServer) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *respServer) commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.seen...)
}

func (s *respServer) handle(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	authed := s.password == ""
	for {
		args, err := readCommand(r)
		if err != nil {
			return
		}
		s.mu.Lock()
		s.seen = append(s.seen, strings.ToLower(strings.Join(args, " ")))
		s.mu.Unlock()
		var reply string
		switch cmd := strings.ToLower(args[0]); {
		case cmd == "hello":
			reply = "-ERR unknown command 'HELLO'\r\n"
		case cmd == "auth":
			if len(args) == 2 && args[1] == s.password {
				authed, reply = true, "+OK\r\n"
			} else {
				reply = "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
			}
		case !authed:
			reply = "-NOAUTH Authentication required.\r\n"
		default:
			reply = s.answer(args)
		}
		if _, err := io.WriteString(c, reply); err != nil {
			return
		}
	}
}

func readCommand(r *bufio.Reader) ([]string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "*")))
	if err != nil || !strings.HasPrefix(line, "*") {
		return nil, fmt.Errorf("not a command: %q", line)
	}
	args := make([]string, n)
	for i := range args {
		if _, err := r.ReadString('\n'); err != nil { // $len
			return nil, err
		}
		arg, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		args[i] = strings.TrimSuffix(arg, "\r\n")
	}
	return args, nil
}

func bulk(s string) string { return fmt.Sprintf("$%d\r\n%s\r\n", len(s), s) }

// pairs is a flat array of bulk strings, as SENTINEL MASTER answers.
func pairs(kv ...string) string {
	out := fmt.Sprintf("*%d\r\n", len(kv))
	for _, s := range kv {
		out += bulk(s)
	}
	return out
}

func array(items ...string) string {
	return fmt.Sprintf("*%d\r\n", len(items)) + strings.Join(items, "")
}

// testLab places a master, one replica and one sentinel in 192.0.2.0/24
// (TEST-NET-1, which nothing answers on), published on the given ports.
func testLab(master, replica, sentinel int) *topology.Lab {
	at := func(host string, port int) netip.AddrPort {
		return netip.AddrPortFrom(netip.MustParseAddr(host), uint16(port))
	}
	return &topology.Lab{
		Name: "probe", MasterName: "mymaster", Subnet: netip.MustParsePrefix("192.0.2.0/24"),
		Nodes: []topology.Node{
			{Service: "master", Role: topology.Master, Addr: at("192.0.2.10", 6379), HostPort: master},
			{Service: "node-1", Role: topology.Replica, Index: 1, Addr: at("192.0.2.11", 6380), HostPort: replica},
			{Service: "sentinel-1", Role: topology.Sentinel, Index: 1, Addr: at("192.0.2.101", 26379), HostPort: sentinel},
		},
	}
}

func masterServer(t *testing.T, pw string) *respServer {
	return serve(t, pw, func(args []string) string {
		if strings.ToLower(args[0]) != "info" {
			return "-ERR unexpected\r\n"
		}
		return bulk("# Server\r\nredis_version:7.2.4\r\nrun_id:abc\r\n# Replication\r\nrole:master\r\nconnected_slaves:1\r\n" +
			"slave0:ip=192.0.2.11,port=6380,state=online,offset=900,lag=1\r\nmaster_replid:r1\r\nmaster_repl_offset:900\r\n" +
			"# Stats\r\nsync_full:1\r\nsync_partial_ok:2\r\nsync_partial_err:0\r\n")
	})
}

func replicaServer(t *testing.T, pw string) *respServer {
	return serve(t, pw, func(args []string) string {
		return bulk("# Server\r\nredis_version:7.2.4\r\nserver_name:valkey\r\nvalkey_version:8.0.1\r\n# Replication\r\nrole:slave\r\n" +
			"master_host:192.0.2.10\r\nmaster_port:6379\r\nmaster_link_status:up\r\nslave_repl_offset:890\r\nmaster_replid:r1\r\n")
	})
}

func sentinelServer(t *testing.T, pw string) *respServer {
	return serve(t, pw, func(args []string) string {
		cmd := strings.ToLower(strings.Join(args, " "))
		switch cmd {
		case "sentinel master mymaster":
			return pairs("name", "mymaster", "ip", "192.0.2.10", "port", "6379", "flags", "master",
				"num-slaves", "1", "num-other-sentinels", "2", "quorum", "2", "config-epoch", "4")
		case "sentinel replicas mymaster":
			return array(pairs("ip", "192.0.2.11", "port", "6380", "flags", "slave", "runid", "r-11"))
		case "sentinel sentinels mymaster":
			return array(pairs("ip", "192.0.2.102", "port", "26380", "flags", "sentinel", "runid", "s-2"),
				pairs("ip", "192.0.2.103", "port", "26381", "flags", "s_down,sentinel,disconnected", "runid", "s-3"))
		case "info sentinel":
			return bulk("# Sentinel\r\nsentinel_masters:1\r\nsentinel_tilt:1\r\n")
		case "sentinel myid":
			return bulk("0123456789abcdef0123456789abcdef01234567")
		case "sentinel ckquorum mymaster":
			return "-NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the majority and authorize a failover\r\n"
		}
		return "-ERR unknown command\r\n"
	})
}

// Through published ports, the prober reads each role's INFO and a
// sentinel's view as Evaluate needs them.
func TestProberReadsNodesAndSentinels(t *testing.T) {
	m, r, s := masterServer(t, "pw"), replicaServer(t, "pw"), sentinelServer(t, "pw")
	lab := testLab(m.port(), r.port(), s.port())
	p := probe.New(lab, "pw", probe.NewDialer(lab, "127.0.0.1", probe.ReachPublished))
	defer p.Close()

	snap := p.Snapshot(context.Background())

	if len(snap.Nodes) != 2 || len(snap.Sentinels) != 1 {
		t.Fatalf("snapshot of %d nodes and %d sentinels, want 2 and 1", len(snap.Nodes), len(snap.Sentinels))
	}
	master, replica, sentinel := snap.Nodes[0], snap.Nodes[1], snap.Sentinels[0]
	if !master.Reachable || master.Role != "master" || master.Offset != 900 || master.ConnectedReplicas != 1 ||
		master.Server.String() != "Redis 7.2.4" || master.ReplID != "r1" || master.SyncFull != 1 || master.SyncPartialOK != 2 ||
		len(master.Replicas) != 1 || master.Replicas[0] != (probe.ReplicaEntry{Addr: "192.0.2.11:6380", State: "online", Offset: 900, Lag: 1}) {
		t.Errorf("master %+v", master)
	}
	if !replica.Reachable || replica.Role != "replica" || replica.MasterAddr != "192.0.2.10:6379" ||
		replica.MasterLinkStatus != "up" || replica.Offset != 890 || replica.Server.String() != "Valkey 8.0.1" {
		t.Errorf("replica %+v", replica)
	}
	want := probe.SentinelView{
		Service: "sentinel-1", Address: "192.0.2.101:26379", Reachable: true,
		MasterAddr: "192.0.2.10:6379", Flags: "master",
		Replicas: []probe.PeerState{{Address: "192.0.2.11:6380", Flags: "slave", RunID: "r-11"}},
		Sentinels: []probe.PeerState{
			{Address: "192.0.2.102:26380", Flags: "sentinel", RunID: "s-2"},
			{Address: "192.0.2.103:26381", Flags: "s_down,sentinel,disconnected", RunID: "s-3"},
		},
		NumReplicas: 1, NumOtherSentinels: 2, ConfigEpoch: 4, Quorum: 2, Tilt: true,
		QuorumReply: "NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the majority and authorize a failover",
		MyID:        "0123456789abcdef0123456789abcdef01234567",
	}
	if fmt.Sprintf("%+v", sentinel) != fmt.Sprintf("%+v", want) {
		t.Errorf("sentinel:\n got %+v\nwant %+v", sentinel, want)
	}
	for _, srv := range []*respServer{m, r, s} {
		for _, c := range srv.commands() {
			if strings.HasPrefix(c, "config") || strings.HasPrefix(c, "replicaof") || strings.HasPrefix(c, "slaveof") ||
				strings.HasPrefix(c, "sentinel set") || strings.HasPrefix(c, "sentinel failover") {
				t.Errorf("the prober changed something: %q", c)
			}
		}
	}
}

func TestProberReportsNodesItCannotAsk(t *testing.T) {
	m := masterServer(t, "right")
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	gone := closed.Addr().(*net.TCPAddr).Port
	closed.Close()
	lab := testLab(m.port(), gone, gone)
	p := probe.New(lab, "wrong", probe.NewDialer(lab, "127.0.0.1", probe.ReachPublished))
	defer p.Close()

	snap := p.Snapshot(context.Background())

	if n := snap.Nodes[0]; n.Reachable || !strings.Contains(n.Error, "WRONGPASS") {
		t.Errorf("master with a wrong password: %+v, want unreachable with the server's answer", n)
	}
	if n := snap.Nodes[1]; n.Reachable || n.Error == "" || n.Role != "" {
		t.Errorf("replica on a closed port: %+v, want unreachable with an error", n)
	}
	if v := snap.Sentinels[0]; v.Reachable || v.Error == "" {
		t.Errorf("sentinel on a closed port: %+v, want unreachable with an error", v)
	}
}

// In auto mode the dialer tries the in-network address, falls back to the
// published port, and sticks to what answered.
func TestDialerFallsBackToThePublishedPort(t *testing.T) {
	m := masterServer(t, "")
	lab := testLab(m.port(), 1, 1)
	d := probe.NewDialer(lab, "0.0.0.0", probe.ReachAuto) // every interface: dial 127.0.0.1
	conn, err := d.DialContext(context.Background(), "tcp", "192.0.2.10:6379")
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	conn.Close()
	if d.Mode() != probe.ReachPublished {
		t.Errorf("mode %v after the published port answered, want ReachPublished", d.Mode())
	}
	// Addresses that are no node of the lab are dialed as they are.
	conn, err = d.DialContext(context.Background(), "tcp", m.ln.Addr().String())
	if err != nil {
		t.Fatalf("dial of an address outside the lab: %v", err)
	}
	conn.Close()
}
