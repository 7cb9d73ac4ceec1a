package present

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/fault"
)

// The nodes of the seed document's lab, as a saved report names them.
var (
	testNodes = []failover.NodeRef{
		{Service: "master", Address: "172.22.0.2:6379"}, {Service: "node-1", Address: "172.22.0.4:6380"}, {Service: "node-2", Address: "172.22.0.3:6381"},
	}
	testSentinels = []failover.SentinelRef{
		{Service: "sentinel-1", Address: "172.22.0.5:26379", ID: "4230cd10f36ab9effd8e21ee33a8f63f5e1fe28f"},
		{Service: "sentinel-2", Address: "172.22.0.6:26380", ID: "15a670981f211ae4cfaef2855819485b56225e13"},
		{Service: "sentinel-3", Address: "172.22.0.7:26381", ID: "8c62aea94ee454dfccf2d5eaead8f909071c71d1"},
	}
	testNames = (&failover.Report{Nodes: testNodes, Sentinels: testSentinels}).Names()
)

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
		e := failover.Event{Type: c.typ, Detail: c.detail}
		if got := Explain(e, testNames, English); !strings.Contains(got, c.en) {
			t.Errorf("%s %s:\n got %q\nwant it to contain %q", c.typ, c.detail, got, c.en)
		}
		if got := Explain(e, testNames, Chinese); !strings.Contains(got, c.zh) {
			t.Errorf("%s %s (zh):\n got %q\nwant it to contain %q", c.typ, c.detail, got, c.zh)
		}
	}
	if got := Explain(failover.Event{Type: "+unheard-of", Detail: "x"}, testNames, English); got != "" {
		t.Errorf("an unknown event got an explanation: %q", got)
	}
}

// The text timeline puts the leader first, names nodes by service and
// leaves out re-announcements.
func TestFailoverText(t *testing.T) {
	events := []failover.Event{
		{Sentinel: "sentinel-2", AtMS: 1100, Type: "+switch-master", Detail: "redis-master 172.22.0.2 6379 172.22.0.4 6380"},
		{Sentinel: "sentinel-2", AtMS: 1100, Type: "+config-update-from", Detail: "sentinel 4230cd10f36ab9effd8e21ee33a8f63f5e1fe28f 172.22.0.5 26379 @ redis-master 172.22.0.2 6379"},
		{Sentinel: "sentinel-1", AtMS: 1000, Type: "+odown", Detail: "master redis-master 172.22.0.2 6379 #quorum 2/2"},
		{Sentinel: "sentinel-1", AtMS: 1000, Type: "+sdown", Detail: "master redis-master 172.22.0.2 6379"},
		{Sentinel: "sentinel-1", AtMS: 1050, Type: "+elected-leader", Detail: "master redis-master 172.22.0.2 6379"},
		{Sentinel: "sentinel-2", AtMS: 1150, Type: "+slave", Detail: "slave 172.22.0.3:6381 172.22.0.3 6381 @ redis-master 172.22.0.4 6380"},
	}
	r := &failover.Report{
		MasterName: "redis-master", Mode: fault.Kill, DownAfterMS: 1000, FaultAt: time.Unix(0, 0),
		OldMaster: failover.NodeRef{Service: "master", Address: "172.22.0.2:6379"}, NewMaster: failover.NodeRef{Service: "node-1", Address: "172.22.0.4:6380"},
		Phases: failover.Phases{FailoverMS: 1100, AgreedMS: 1100, PromotedMS: 1080, ReplicasLinkedMS: 1200},
		Leader: "sentinel-1", Followers: []string{"sentinel-2"}, Events: events, Nodes: testNodes, Sentinels: testSentinels,
		Resyncs: []failover.ReplicaResync{{Service: "node-2", Resync: failover.ResyncPartial}},
	}
	var buf bytes.Buffer
	WriteFailover(&buf, r, English)
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

func TestParseLang(t *testing.T) {
	if _, err := ParseLang("fr"); err == nil || !strings.Contains(err.Error(), "--lang zh") {
		t.Errorf("bad lang: %v", err)
	}
	for _, l := range []string{"en", "zh"} {
		if _, err := ParseLang(l); err != nil {
			t.Errorf("%s refused: %v", l, err)
		}
	}
}
