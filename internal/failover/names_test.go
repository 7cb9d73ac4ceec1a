package failover

import (
	"encoding/json"
	"testing"
)

// A saved report carries enough to explain its events again in another
// language: the names survive the JSON round trip.
func TestReportNamesSurviveJSON(t *testing.T) {
	r := &Report{
		Nodes: []NodeRef{{"master", "172.22.0.2:6379"}, {"node-1", "172.22.0.4:6380"}, {"node-2", "172.22.0.3:6381"}},
		Sentinels: []SentinelRef{
			{"sentinel-1", "172.22.0.5:26379", "4230cd10f36ab9effd8e21ee33a8f63f5e1fe28f"},
			{"sentinel-2", "172.22.0.6:26380", ""},
		},
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	names := back.Names()
	cases := []struct {
		e    Event
		want string
	}{
		{Event{Type: "+vote-for-leader", Detail: "4230cd10f36ab9effd8e21ee33a8f63f5e1fe28f 1"}, "投票给 sentinel-1 作为纪元 1 的领头哨兵"},
		{Event{Type: "+switch-master", Detail: "redis-master 172.22.0.2 6379 172.22.0.4 6380"}, "切换主节点：master -> node-1，客户端此后连接 node-1"},
	}
	for _, c := range cases {
		if got := Explain(c.e, names, Chinese); got != c.want {
			t.Errorf("%s: got %q, want %q", c.e.Type, got, c.want)
		}
	}
	if got := names.ByAddr["172.22.0.6:26380"]; got != "sentinel-2" {
		t.Errorf("a sentinel without a known myid is still named by address: got %q", got)
	}
}
