package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
)

// hostSide is an application on this host: it knows the lab only through
// `connect`, resolves names through the hosts-file line `connect -o hosts`
// prints (what a user adds to /etc/hosts, emulated here so the test does
// not edit this machine's), and refuses to dial any address inside the
// lab's subnet: that is what an application on Docker Desktop or on
// another machine cannot reach.
type hostSide struct {
	subnet    netip.Prefix
	hosts     map[string]string
	refused   atomic.Int64
	sentinels []string
	password  string
}

func newHostSide(t *testing.T, l *Lab) *hostSide {
	t.Helper()
	var c struct {
		MasterName   string   `json:"master_name"`
		Sentinels    []string `json:"sentinels"`
		Addressing   string   `json:"addressing"`
		PasswordFile string   `json:"password_file"`
	}
	out := l.must("connect", "-o", "json").stdout
	if err := json.Unmarshal([]byte(out), &c); err != nil || c.Addressing != "host" || len(c.Sentinels) != 3 {
		t.Fatalf("connect -o json: %v\n%s", err, out)
	}
	pw, err := os.ReadFile(c.PasswordFile)
	if err != nil {
		t.Fatal(err)
	}
	h := &hostSide{subnet: labSubnet(t, l), hosts: map[string]string{}, sentinels: c.Sentinels, password: strings.TrimSpace(string(pw))}
	line := strings.Fields(l.must("connect", "-o", "hosts").stdout)
	for _, name := range line[1:] {
		h.hosts[name] = line[0]
	}
	return h
}

func labSubnet(t *testing.T, l *Lab) netip.Prefix {
	t.Helper()
	nets, err := l.Eng.Networks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nets {
		if n.Labels[engine.LabelProject] == l.Name && len(n.Subnets) > 0 {
			return n.Subnets[0]
		}
	}
	t.Fatalf("no network of %s", l.Name)
	return netip.Prefix{}
}

// resolve is what the host's resolver does with the hosts-file line.
func (h *hostSide) resolve(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", err
	}
	if ip, ok := h.hosts[host]; ok {
		host = ip
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return "", fmt.Errorf("%s does not resolve on this host", host)
	}
	if h.subnet.Contains(ip) {
		h.refused.Add(1)
		return "", fmt.Errorf("refusing %s: inside the lab subnet %s, which this host cannot reach", addr, h.subnet)
	}
	return net.JoinHostPort(host, port), nil
}

func (h *hostSide) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	to, err := h.resolve(addr)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	return d.DialContext(ctx, network, to)
}

// masterAddr asks sentinel i where the master is, and checks the answer
// resolves on this host to an address outside the lab subnet.
func (h *hostSide) masterAddr(t *testing.T, i int) string {
	t.Helper()
	s := redis.NewSentinelClient(&redis.Options{Addr: h.sentinels[i], Password: h.password, Dialer: h.dial})
	defer s.Close()
	a, err := s.GetMasterAddrByName(context.Background(), "redis-master").Result()
	if err != nil {
		t.Fatalf("SENTINEL get-master-addr-by-name on %s: %v", h.sentinels[i], err)
	}
	addr := net.JoinHostPort(a[0], a[1])
	if ip, err := netip.ParseAddr(a[0]); err == nil && h.subnet.Contains(ip) {
		t.Fatalf("sentinel answered %s, inside the lab subnet %s", addr, h.subnet)
	}
	if _, err := h.resolve(addr); err != nil {
		t.Fatalf("sentinel answered %s: %v", addr, err)
	}
	return addr
}

// acked writes keys through a FailoverClient until stop closes, each SET
// followed by WAIT 1 on its connection; a write counts as acknowledged when
// both answered and WAIT saw a replica.
func (h *hostSide) write(stop <-chan struct{}, acked *sync.Map, afterKill *atomic.Bool, ackedAfter *atomic.Int64) {
	c := redis.NewFailoverClient(&redis.FailoverOptions{
		MasterName: "redis-master", SentinelAddrs: h.sentinels, Password: h.password, SentinelPassword: h.password,
		Dialer: h.dial, DialTimeout: 300 * time.Millisecond, ReadTimeout: 500 * time.Millisecond, WriteTimeout: 500 * time.Millisecond,
		MaxRetries: -1,
	})
	defer c.Close()
	ctx := context.Background()
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		key := fmt.Sprintf("i14:%d", i)
		var wait *redis.Cmd
		_, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, key, i, 0)
			wait = p.Do(ctx, "wait", 1, 200)
			return nil
		})
		if n, _ := wait.Int(); err == nil && n >= 1 {
			acked.Store(key, i)
			if afterKill.Load() {
				ackedAfter.Add(1)
			}
		} else {
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// In host addressing an application on this host, given only what
// `connect` prints and unable to reach the lab subnet, writes through a
// kill of the master: every address a sentinel hands out (master, other
// sentinels) is one it reaches, before and after the failover, and no
// write acknowledged with WAIT 1 is lost.
func TestHostAddressingAnApplicationOnTheHostWritesThroughAFailover(t *testing.T) {
	l := i14Lab(t, "--addressing", "host")
	l.up()
	h := newHostSide(t, l)
	before := h.masterAddr(t, 0)

	stop := make(chan struct{})
	var acked sync.Map
	var afterKill atomic.Bool
	var ackedAfter atomic.Int64
	done := make(chan struct{})
	go func() { defer close(done); h.write(stop, &acked, &afterKill, &ackedAfter) }()
	time.Sleep(time.Second)
	afterKill.Store(true)
	r := l.killMaster()
	checkFailover(t, r, "master")
	time.Sleep(2 * time.Second)
	close(stop)
	<-done

	after := h.masterAddr(t, 1)
	if after == before || !strings.HasPrefix(after, r.NewMaster.Service+".") {
		t.Errorf("sentinels hand out %s after the failover to %s (before: %s)", after, r.NewMaster.Service, before)
	}
	if ackedAfter.Load() == 0 {
		t.Fatalf("no write was acknowledged after the kill: the application did not follow the failover")
	}
	if n := h.refused.Load(); n > 0 {
		t.Errorf("the lab handed out %d addresses inside its subnet", n)
	}
	checkNoneLost(t, h, &acked)
	checkAnnouncedShown(t, l, r.NewMaster.Service)
}

// status and the failover report show the announced addresses beside the
// in-network ones.
func checkAnnouncedShown(t *testing.T, l *Lab, master string) {
	t.Helper()
	st := l.status()
	if st.Addressing != "host" || st.Master == nil || st.Master.Announced != master+"."+l.Name+".localhost:"+portOf(st.Master.Address) {
		t.Errorf("status: addressing %q, master %+v", st.Addressing, st.Master)
	}
	for _, n := range st.Nodes {
		if !strings.HasPrefix(n.Announced, n.Service+"."+l.Name+".localhost:") || n.Address == n.Announced {
			t.Errorf("status: %s at %s announces %q", n.Service, n.Address, n.Announced)
		}
	}
	exp := l.path("export")
	l.must("export", exp)
	b, err := os.ReadFile(exp + "/status.json")
	if err != nil || !strings.Contains(string(b), `"announced": "`+master+"."+l.Name+".localhost:") {
		t.Errorf("export's status.json lacks the announced addresses (%v):\n%s", err, b)
	}
	if out := l.must("report", "-f", "-").stdout; !strings.Contains(out, "(announced as "+master+"."+l.Name+".localhost:") {
		t.Errorf("the failover report does not show the new master's announced address:\n%s", out)
	}
}

func portOf(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

func checkNoneLost(t *testing.T, h *hostSide, acked *sync.Map) {
	t.Helper()
	c := redis.NewFailoverClient(&redis.FailoverOptions{
		MasterName: "redis-master", SentinelAddrs: h.sentinels, Password: h.password, SentinelPassword: h.password, Dialer: h.dial,
	})
	defer c.Close()
	total, lost := 0, 0
	acked.Range(func(k, v any) bool {
		total++
		got, err := c.Get(context.Background(), k.(string)).Int()
		if err != nil || got != v.(int) {
			lost++
			if lost <= 3 {
				t.Errorf("acknowledged %s=%d reads %d (%v)", k, v, got, errors.Unwrap(err))
			}
		}
		return true
	})
	if total == 0 || lost > 0 {
		t.Errorf("%d of %d acknowledged writes lost", lost, total)
	}
	t.Logf("%d acknowledged writes, none lost", total)
}
