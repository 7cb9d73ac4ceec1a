package failover

import (
	"testing"
)

var testNames = Names{
	ByAddr: map[string]string{
		"172.22.0.2:6379": "master", "172.22.0.4:6380": "node-1", "172.22.0.3:6381": "node-2",
		"172.22.0.5:26379": "sentinel-1", "172.22.0.6:26380": "sentinel-2", "172.22.0.7:26381": "sentinel-3",
	},
	ByID: map[string]string{
		"4230cd10f36ab9effd8e21ee33a8f63f5e1fe28f": "sentinel-1",
		"15a670981f211ae4cfaef2855819485b56225e13": "sentinel-2",
		"8c62aea94ee454dfccf2d5eaead8f909071c71d1": "sentinel-3",
	},
}

func TestFindLeader(t *testing.T) {
	events := []Event{
		{Sentinel: "sentinel-2", Type: "+new-epoch", Detail: "4"},
		{Sentinel: "sentinel-2", Type: "+vote-for-leader", Detail: "4230cd10f36ab9effd8e21ee33a8f63f5e1fe28f 4"},
		{Sentinel: "sentinel-1", Type: "+elected-leader", Detail: "master redis-master 172.22.0.2 6379"},
	}
	if leader, epoch := findLeader(events, testNames); leader != "sentinel-1" || epoch != 4 {
		t.Errorf("leader %q epoch %d, want sentinel-1 and 4", leader, epoch)
	}
	// Without the +elected-leader event (missed), the votes decide.
	votesOnly := []Event{
		{Sentinel: "sentinel-2", Type: "+vote-for-leader", Detail: "8c62aea94ee454dfccf2d5eaead8f909071c71d1 1"},
		{Sentinel: "sentinel-3", Type: "+vote-for-leader", Detail: "8c62aea94ee454dfccf2d5eaead8f909071c71d1 1"},
		{Sentinel: "sentinel-1", Type: "+vote-for-leader", Detail: "4230cd10f36ab9effd8e21ee33a8f63f5e1fe28f 1"},
	}
	if leader, _ := findLeader(votesOnly, testNames); leader != "sentinel-3" {
		t.Errorf("leader from votes %q, want sentinel-3", leader)
	}
}

// Events of one millisecond read in protocol order.
func TestSortEventsInProtocolOrder(t *testing.T) {
	events := timelineEvents()
	sortEvents(events)
	if events[0].Type != "+sdown" || events[1].Type != "+odown" {
		t.Errorf("same-millisecond events out of protocol order: %s, %s", events[0].Type, events[1].Type)
	}
	if events[3].Type != "+config-update-from" || events[4].Type != "+switch-master" {
		t.Errorf("follower events out of order: %s, %s", events[3].Type, events[4].Type)
	}
}

func timelineEvents() []Event {
	return []Event{
		{Sentinel: "sentinel-2", AtMS: 1100, Type: "+switch-master", Detail: "redis-master 172.22.0.2 6379 172.22.0.4 6380"},
		{Sentinel: "sentinel-2", AtMS: 1100, Type: "+config-update-from", Detail: "sentinel 4230cd10f36ab9effd8e21ee33a8f63f5e1fe28f 172.22.0.5 26379 @ redis-master 172.22.0.2 6379"},
		{Sentinel: "sentinel-1", AtMS: 1000, Type: "+odown", Detail: "master redis-master 172.22.0.2 6379 #quorum 2/2"},
		{Sentinel: "sentinel-1", AtMS: 1000, Type: "+sdown", Detail: "master redis-master 172.22.0.2 6379"},
		{Sentinel: "sentinel-1", AtMS: 1050, Type: "+elected-leader", Detail: "master redis-master 172.22.0.2 6379"},
		{Sentinel: "sentinel-2", AtMS: 1150, Type: "+slave", Detail: "slave 172.22.0.3:6381 172.22.0.3 6381 @ redis-master 172.22.0.4 6380"},
	}
}

func TestResyncKind(t *testing.T) {
	old := "1:S * MASTER <-> REPLICA sync: Finished with success\n1:S * Full resync from master: abc:0\n"
	cases := []struct{ name, after, want string }{
		{"partial after restart", old + "* Trying a partial resynchronization\n* Successful partial resynchronization with master.\n", ResyncPartial},
		{"full after restart", old + "* Partial resynchronization not possible (no cached master)\n* Full resync from master: def:449\n", ResyncFull},
		{"nothing new", old, ResyncNone},
		{"log rotated: read what is there", "* Successful partial resynchronization with master.\n", ResyncPartial},
	}
	for _, c := range cases {
		if got := ResyncKind(old, c.after); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

// Valkey 8 says "primary" where Redis says "master" (issue 12: a full
// resync of a Valkey replica was reported as none).
func TestResyncKindValkeyWording(t *testing.T) {
	old := "1:S 01 Dec 2026 16:43:01.698 * PRIMARY <-> REPLICA sync: Finished with success\n"
	full := old + "20601:S 01 Dec 2026 16:43:06.369 * Partial resynchronization not possible (no cached primary)\n" +
		"20601:S 01 Dec 2026 16:43:06.370 * Full resync from primary: a7912c17552522309f2545c4bb5dc0caaa169877:3168\n"
	if got := ResyncKind(old, full); got != ResyncFull {
		t.Errorf("Valkey full resync read as %s", got)
	}
	partial := old + "20521:S 01 Dec 2026 16:43:04.234 * Successful partial resynchronization with primary.\n"
	if got := ResyncKind(old, partial); got != ResyncPartial {
		t.Errorf("Valkey partial resync read as %s", got)
	}
}
