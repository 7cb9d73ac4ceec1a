package failover

import (
	"bytes"
	"strings"
	"testing"
	"time"
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

// The events of the seed document's failover, as the sentinels publish
// them; the explanations must name nodes by service and say what happened.
func TestExplainTheSeedsEvents(t *testing.T) {
	cases := []struct {
		typ, detail string
		en, zh      string
	}{
		{"+sdown", "master redis-master 172.22.0.2 6379",
			"the master (master) is subjectively down", "主观下线：主节点 master"},
		{"+odown", "master redis-master 172.22.0.2 6379 #quorum 3/2",
			"the master (master) is objectively down: 3/2 sentinels agree", "客观下线：主节点 master，3/2 个哨兵同意"},
		{"+new-epoch", "1", "new epoch 1", "新的纪元 1"},
		{"+vote-for-leader", "4230cd10f36ab9effd8e21ee33a8f63f5e1fe28f 1",
			"votes for sentinel-1 as leader of epoch 1", "投票给 sentinel-1 作为纪元 1 的领头哨兵"},
		{"+selected-slave", "slave 172.22.0.4:6380 172.22.0.4 6380 @ redis-master 172.22.0.2 6379",
			"chose node-1 to become the new master", "选中 node-1 升级为新的主服务器"},
		{"+promoted-slave", "slave 172.22.0.4:6380 172.22.0.4 6380 @ redis-master 172.22.0.2 6379",
			"node-1 is promoted", "确认 node-1 已经升级为主节点"},
		{"+slave-reconf-done", "slave 172.22.0.3:6381 172.22.0.3 6381 @ redis-master 172.22.0.2 6379",
			"node-2 finished syncing with the new master", "node-2 与新主节点同步完成"},
		{"+switch-master", "redis-master 172.22.0.2 6379 172.22.0.4 6380",
			"switches the master from master to node-1", "切换主节点：master -> node-1"},
		{"+config-update-from", "sentinel 4230cd10f36ab9effd8e21ee33a8f63f5e1fe28f 172.22.0.5 26379 @ redis-master 172.22.0.2 6379",
			"takes the new configuration from sentinel-1", "从领头哨兵 sentinel-1 同步新配置"},
		{"+sdown", "slave 172.22.0.2:6379 172.22.0.2 6379 @ redis-master 172.22.0.4 6380",
			"master, known as a replica, is subjectively down", "从节点 master 主观下线"},
		{"+tilt", "#tilt mode entered", "enters TILT mode", "进入 TILT 模式"},
		{"-role-change", "slave 172.22.0.4:6380 172.22.0.4 6380 @ redis-master 172.22.0.2 6379 new reported role is master",
			"node-1 now reports role:master", "node-1 报告了新的角色：master"},
	}
	for _, c := range cases {
		e := Event{Type: c.typ, Detail: c.detail}
		if got := Explain(e, testNames, English); !strings.Contains(got, c.en) {
			t.Errorf("%s %s:\n got %q\nwant it to contain %q", c.typ, c.detail, got, c.en)
		}
		if got := Explain(e, testNames, Chinese); !strings.Contains(got, c.zh) {
			t.Errorf("%s %s (zh):\n got %q\nwant it to contain %q", c.typ, c.detail, got, c.zh)
		}
	}
	if got := Explain(Event{Type: "+unheard-of", Detail: "x"}, testNames, English); got != "" {
		t.Errorf("an unknown event got an explanation: %q", got)
	}
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

// Events of one millisecond read in protocol order; the text timeline puts
// the leader first and leaves out re-announcements.
func TestTimelineOrderAndText(t *testing.T) {
	events := []Event{
		{Sentinel: "sentinel-2", AtMS: 1100, Type: "+switch-master", Detail: "redis-master 172.22.0.2 6379 172.22.0.4 6380"},
		{Sentinel: "sentinel-2", AtMS: 1100, Type: "+config-update-from", Detail: "sentinel 4230cd10f36ab9effd8e21ee33a8f63f5e1fe28f 172.22.0.5 26379 @ redis-master 172.22.0.2 6379"},
		{Sentinel: "sentinel-1", AtMS: 1000, Type: "+odown", Detail: "master redis-master 172.22.0.2 6379 #quorum 2/2"},
		{Sentinel: "sentinel-1", AtMS: 1000, Type: "+sdown", Detail: "master redis-master 172.22.0.2 6379"},
		{Sentinel: "sentinel-1", AtMS: 1050, Type: "+elected-leader", Detail: "master redis-master 172.22.0.2 6379"},
		{Sentinel: "sentinel-2", AtMS: 1150, Type: "+slave", Detail: "slave 172.22.0.3:6381 172.22.0.3 6381 @ redis-master 172.22.0.4 6380"},
	}
	sortEvents(events)
	if events[0].Type != "+sdown" || events[1].Type != "+odown" {
		t.Errorf("same-millisecond events out of protocol order: %s, %s", events[0].Type, events[1].Type)
	}
	if events[3].Type != "+config-update-from" || events[4].Type != "+switch-master" {
		t.Errorf("follower events out of order: %s, %s", events[3].Type, events[4].Type)
	}
	for i := range events {
		events[i].Explanation = Explain(events[i], testNames, English)
	}
	leader, _ := findLeader(events, testNames)
	r := &Report{
		MasterName: "redis-master", Mode: Kill, DownAfterMS: 1000, FaultAt: time.Unix(0, 0),
		OldMaster: NodeRef{"master", "172.22.0.2:6379"}, NewMaster: NodeRef{"node-1", "172.22.0.4:6380"},
		FailoverMS: 1100, AgreedMS: 1100, PromotedMS: 1080, ReplicasLinkedMS: 1200,
		Leader: leader, Followers: []string{"sentinel-2"}, Events: events,
		Resyncs: []ReplicaResync{{"node-2", ResyncPartial}},
	}
	var buf bytes.Buffer
	WriteText(&buf, r, English)
	out := buf.String()
	for _, want := range []string{
		`Failover of "redis-master": master (172.22.0.2:6379) -> node-1 (172.22.0.4:6380)`,
		"first sentinel reports the new master  +1.100s  (down-after +0.10s)",
		"node-2 followed node-1 with a partial resync",
		"sentinel-1 (leader)",
		"sentinel-2 (follower)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
	if strings.Index(out, "sentinel-1 (leader)") > strings.Index(out, "sentinel-2 (follower)") {
		t.Error("the leader's timeline must come first")
	}
	if strings.Contains(out, "+slave ") {
		t.Errorf("re-announcements belong in JSON only:\n%s", out)
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

func TestParseModeAndLang(t *testing.T) {
	for _, m := range []string{"kill", "stop", "pause", "disconnect"} {
		if _, err := ParseMode(m); err != nil {
			t.Errorf("mode %s refused: %v", m, err)
		}
	}
	if _, err := ParseMode("nuke"); err == nil || !strings.Contains(err.Error(), "use --mode kill") {
		t.Errorf("bad mode: %v", err)
	}
	if _, err := ParseLang("fr"); err == nil || !strings.Contains(err.Error(), "--lang zh") {
		t.Errorf("bad lang: %v", err)
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
