package failover

import (
	"fmt"
	"strings"
)

// Lang is the language of explanations.
type Lang string

// The languages explanations exist in: English, and Chinese for the seed
// document's readers.
const (
	English Lang = "en"
	Chinese Lang = "zh"
)

// ParseLang accepts "en" and "zh".
func ParseLang(s string) (Lang, error) {
	switch Lang(s) {
	case English, Chinese:
		return Lang(s), nil
	}
	return "", fmt.Errorf("language %q is not available; use --lang en or --lang zh", s)
}

// Names turns what events mention into service names.
type Names struct {
	// ByAddr maps "ip:port" to a service.
	ByAddr map[string]string
	// ByID maps a sentinel's myid to its service.
	ByID map[string]string
}

func (n Names) addr(a string) string {
	if s, ok := n.ByAddr[a]; ok {
		return s
	}
	return a
}

func (n Names) id(id string) string {
	if s, ok := n.ByID[id]; ok {
		return s
	}
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// phrase is one explanation in both languages; %s verbs are filled with
// the arguments explain computes for its event type.
type phrase struct{ en, zh string }

var phrases = map[string]phrase{
	"+sdown master":                      {"the master (%s) is subjectively down: no valid reply within down-after-milliseconds", "主观下线：主节点 %s 在 down-after-milliseconds 内没有有效回复"},
	"+sdown slave":                       {"%s, known as a replica, is subjectively down", "从节点 %s 主观下线"},
	"+sdown sentinel":                    {"sentinel %s is subjectively down", "哨兵 %s 主观下线"},
	"-sdown":                             {"%s answers again", "%s 恢复响应，不再主观下线"},
	"+odown":                             {"the master (%s) is objectively down: %s sentinels agree (agreeing/quorum)", "客观下线：主节点 %s，%s 个哨兵同意（同意数/法定数）"},
	"-odown":                             {"the master (%s) is no longer objectively down", "主节点 %s 不再客观下线"},
	"+new-epoch":                         {"new epoch %s: a new election term begins", "新的纪元 %s：开始新一轮选举"},
	"+try-failover":                      {"starts a failover of the master (%s) and asks the others for votes", "开始对主节点 %s 进行故障迁移，等待其他哨兵投票"},
	"+vote-for-leader":                   {"votes for %s as leader of epoch %s", "投票给 %s 作为纪元 %s 的领头哨兵"},
	"+elected-leader":                    {"won the election: leads the failover of the master (%s)", "当选领头哨兵，负责主节点 %s 的故障迁移"},
	"+failover-state-select-slave":       {"looks for a replica to promote", "正在寻找可以升级为主服务器的从服务器"},
	"+selected-slave":                    {"chose %s to become the new master", "选中 %s 升级为新的主服务器"},
	"+failover-state-send-slaveof-noone": {"sends REPLICAOF NO ONE to %s", "向 %s 发送 SLAVEOF NO ONE，将其升级为主服务器"},
	"+failover-state-wait-promotion":     {"waits for %s to report role:master", "等待 %s 升级为主节点"},
	"+promoted-slave":                    {"%s is promoted: it reports role:master", "确认 %s 已经升级为主节点"},
	"+failover-state-reconf-slaves":      {"reconfigures the other replicas to follow the new master", "进入重新配置从节点阶段"},
	"+slave-reconf-sent":                 {"sent REPLICAOF <new master> to %s", "向 %s 发送新主节点配置"},
	"+slave-reconf-inprog":               {"%s is syncing with the new master", "%s 正在与新主节点同步"},
	"+slave-reconf-done":                 {"%s finished syncing with the new master", "%s 与新主节点同步完成"},
	"+failover-end":                      {"the failover of the master (%s) is complete", "主节点 %s 的故障迁移完成"},
	"+failover-end-for-timeout":          {"failover ended by failover-timeout; replicas left are reconfigured later", "故障迁移因超时结束"},
	"+switch-master":                     {"switches the master from %s to %s: clients asking for it now get %s", "切换主节点：%s -> %s，客户端此后连接 %s"},
	"+config-update-from":                {"takes the new configuration from %s, which led the failover", "从领头哨兵 %s 同步新配置"},
	"+convert-to-slave":                  {"turns %s, back after the failover, into a replica", "将恢复的旧主节点 %s 降级为从节点"},
	"+slave":                             {"knows %s as a replica", "关联从节点 %s"},
	"+sentinel":                          {"learned of sentinel %s", "发现哨兵 %s"},
	"+reboot":                            {"%s restarted", "%s 已重启"},
	"+tilt":                              {"enters TILT mode: stops acting for 30 s after a clock jump or freeze", "进入 TILT 模式：时钟跳变或暂停后 30 秒内不采取行动"},
	"-tilt":                              {"leaves TILT mode", "退出 TILT 模式"},
	"-failover-abort-no-good-slave":      {"aborts: no replica is fit to promote", "放弃故障迁移：没有合适的从节点"},
	"-failover-abort-not-elected":        {"aborts: was not elected leader", "放弃故障迁移：未当选领头哨兵"},
	"-failover-abort-slave-timeout":      {"aborts: the chosen replica did not become master in time", "放弃故障迁移：选中的从节点未能及时升级"},
	"+failover-detected":                 {"sees that a replica became master on its own", "发现从节点自行升级为主节点"},
	"+fix-slave-config":                  {"points %s at the right master", "修正 %s 的主节点配置"},
	"-role-change":                       {"%s now reports role:%s", "%s 报告了新的角色：%s"},
	"+role-change":                       {"%s now reports role:%s", "%s 报告了新的角色：%s"},
	"+monitor":                           {"monitors %s", "开始监控 %s"},
}

// Explain says what an event means, naming nodes by service, in lang.
func Explain(e Event, names Names, lang Lang) string {
	f := strings.Fields(e.Detail)
	inst, hasInst := parseInstance(e.Detail)
	subject := ""
	if hasInst {
		subject = names.addr(inst.addr)
		if inst.kind == "sentinel" {
			subject = names.id(inst.name)
		}
	}
	key, args := e.Type, []any{subject}
	switch e.Type {
	case "+sdown":
		key = "+sdown " + inst.kind
	case "-sdown", "-odown", "+try-failover", "+elected-leader", "+failover-end",
		"+selected-slave", "+failover-state-send-slaveof-noone", "+failover-state-wait-promotion",
		"+promoted-slave", "+slave-reconf-sent", "+slave-reconf-inprog", "+slave-reconf-done",
		"+convert-to-slave", "+slave", "+sentinel", "+reboot", "+fix-slave-config", "+monitor":
	case "-role-change", "+role-change":
		role := "?"
		if i := strings.Index(e.Detail, "new reported role is "); i >= 0 {
			role = strings.TrimSpace(e.Detail[i+len("new reported role is "):])
		}
		args = []any{subject, role}
	case "+odown":
		quorum := ""
		for _, w := range f {
			if strings.HasPrefix(w, "#quorum") {
				continue
			}
			if strings.Contains(w, "/") {
				quorum = w
			}
		}
		args = []any{subject, quorum}
	case "+new-epoch":
		args = []any{strings.Join(f, " ")}
	case "+vote-for-leader":
		if len(f) < 2 {
			return ""
		}
		args = []any{names.id(f[0]), f[1]}
	case "+switch-master":
		if len(f) < 5 {
			return ""
		}
		from, to := names.addr(f[1]+":"+f[2]), names.addr(f[3]+":"+f[4])
		args = []any{from, to, to}
	case "+config-update-from":
		if len(f) < 2 {
			return ""
		}
		args = []any{names.id(f[1])}
	default:
		args = nil
	}
	p, ok := phrases[key]
	if !ok {
		return ""
	}
	text := p.en
	if lang == Chinese {
		text = p.zh
	}
	if n := strings.Count(text, "%s"); n < len(args) {
		args = args[:n]
	}
	return fmt.Sprintf(text, args...)
}
