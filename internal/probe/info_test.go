package probe

import (
	"reflect"
	"testing"
)

// A master's INFO as Redis 7 sends it: CRLF line ends, section headers,
// values that hold colons or nothing at all.
const masterInfo = "# Server\r\n" +
	"redis_version:7.2.4\r\n" +
	"executable:/usr/local/bin/redis-server\r\n" +
	"config_file:\r\n" +
	"run_id:5b3d1c4f\r\n" +
	"\r\n" +
	"# Replication\r\n" +
	"role:master\r\n" +
	"connected_slaves:2\r\n" +
	"slave0:ip=172.28.5.11,port=6380,state=online,offset=1234,lag=0\r\n" +
	"slave1:ip=172.28.5.12,port=6381,state=wait_bgsave,offset=0,lag=7\r\n" +
	"master_replid:8c6f1e2a\r\n" +
	"master_repl_offset:1234\r\n" +
	"\r\n" +
	"# Stats\r\n" +
	"sync_full:2\r\n"

func TestParseInfo(t *testing.T) {
	info := ParseInfo(masterInfo)
	want := map[string]string{
		"redis_version":      "7.2.4",
		"executable":         "/usr/local/bin/redis-server",
		"config_file":        "",
		"role":               "master",
		"slave0":             "ip=172.28.5.11,port=6380,state=online,offset=1234,lag=0",
		"master_repl_offset": "1234",
		"sync_full":          "2",
	}
	for k, v := range want {
		if got, ok := info[k]; !ok || got != v {
			t.Errorf("%s = %q (present %v), want %q", k, got, ok, v)
		}
	}
	for k := range info {
		if k == "" || k[0] == '#' {
			t.Errorf("header or blank line parsed as field %q", k)
		}
	}
	if len(info) != 11 {
		t.Errorf("%d fields, want the 11 of the reply: %v", len(info), info)
	}
	if info.Int("connected_slaves") != 2 || info.Int("master_repl_offset") != 1234 {
		t.Errorf("Int: connected_slaves %d, offset %d", info.Int("connected_slaves"), info.Int("master_repl_offset"))
	}
	if info.Int("absent") != 0 || info.Int("role") != 0 {
		t.Error("Int of a missing or non-numeric field is not 0")
	}
}

func TestInfoReplicas(t *testing.T) {
	got := ParseInfo(masterInfo).Replicas()
	want := []ReplicaEntry{
		{Addr: "172.28.5.11:6380", State: "online", Offset: 1234, Lag: 0},
		{Addr: "172.28.5.12:6381", State: "wait_bgsave", Offset: 0, Lag: 7},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("replicas %+v, want %+v", got, want)
	}
	if r := ParseInfo("role:slave\r\nmaster_host:172.28.5.10\r\n").Replicas(); len(r) != 0 {
		t.Errorf("a replica's INFO lists replicas %+v", r)
	}
	v6 := ParseInfo("slave0:ip=fd00::11,port=6380,state=online,offset=5,lag=1\r\n").Replicas()
	if len(v6) != 1 || v6[0].Addr != "[fd00::11]:6380" {
		t.Errorf("IPv6 replica %+v, want [fd00::11]:6380", v6)
	}
}

func TestFields(t *testing.T) {
	cases := []struct {
		in   string
		want map[string]string
	}{
		{"ip=172.28.5.11,port=6380,state=online", map[string]string{"ip": "172.28.5.11", "port": "6380", "state": "online"}},
		{"", map[string]string{}},
		{"flags=master,odd,name=a=b", map[string]string{"flags": "master", "name": "a=b"}},
	}
	for _, c := range cases {
		if got := Fields(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Fields(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}
