package failover

import (
	"encoding/json"
	"testing"
)

// A saved report carries enough to explain its events again in another
// language: the names survive the JSON round trip.
func TestReportNamesSurviveJSON(t *testing.T) {
	r := &Report{
		Nodes: []NodeRef{{Service: "master", Address: "172.22.0.2:6379"}, {Service: "node-1", Address: "172.22.0.4:6380", Announced: "node-1:6380"}, {Service: "node-2", Address: "172.22.0.3:6381"}},
		Sentinels: []SentinelRef{
			{Service: "sentinel-1", Address: "172.22.0.5:26379", ID: "4230cd10f36ab9effd8e21ee33a8f63f5e1fe28f"},
			{Service: "sentinel-2", Address: "172.22.0.6:26380"},
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
	if got := names.ID("4230cd10f36ab9effd8e21ee33a8f63f5e1fe28f"); got != "sentinel-1" {
		t.Errorf("myid names %q, want sentinel-1", got)
	}
	if got := names.Addr("172.22.0.4:6380"); got != "node-1" {
		t.Errorf("address names %q, want node-1", got)
	}
	if got := names.Addr("node-1:6380"); got != "node-1" {
		t.Errorf("an announced name names %q, want node-1 (events of hostname addressing)", got)
	}
	if got := names.ByAddr["172.22.0.6:26380"]; got != "sentinel-2" {
		t.Errorf("a sentinel without a known myid is still named by address: got %q", got)
	}
}
