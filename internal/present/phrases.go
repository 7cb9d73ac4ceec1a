package present

import (
	"fmt"
	"strings"
)

// text is one string shown to a person, in both languages; %s and %d verbs
// are filled by the caller.
type text struct{ en, zh string }

// texts is the one table of everything sentinel-lab says in both languages:
// what each sentinel event means ("event +sdown master", filled by Explain)
// and every heading and label of the report.
var texts = map[string]text{
	// What each event a sentinel publishes means, keyed "event <type>" (and
	// the instance kind where it matters); %s are the nodes it names.
	"event +sdown master":                      {"the master (%s) is subjectively down: no valid reply within down-after-milliseconds", "主观下线：主节点 %s 在 down-after-milliseconds 内没有有效回复"},
	"event +sdown slave":                       {"%s, known as a replica, is subjectively down", "从节点 %s 主观下线"},
	"event +sdown sentinel":                    {"sentinel %s is subjectively down", "哨兵 %s 主观下线"},
	"event -sdown":                             {"%s answers again", "%s 恢复响应，不再主观下线"},
	"event +odown":                             {"the master (%s) is objectively down: %s sentinels agree (agreeing/quorum)", "客观下线：主节点 %s，%s 个哨兵同意（同意数/法定数）"},
	"event -odown":                             {"the master (%s) is no longer objectively down", "主节点 %s 不再客观下线"},
	"event +new-epoch":                         {"new epoch %s: a new election term begins", "新的纪元 %s：开始新一轮选举"},
	"event +try-failover":                      {"starts a failover of the master (%s) and asks the others for votes", "开始对主节点 %s 进行故障迁移，等待其他哨兵投票"},
	"event +vote-for-leader":                   {"votes for %s as leader of epoch %s", "投票给 %s 作为纪元 %s 的领头哨兵"},
	"event +elected-leader":                    {"won the election: leads the failover of the master (%s)", "当选领头哨兵，负责主节点 %s 的故障迁移"},
	"event +failover-state-select-slave":       {"looks for a replica to promote", "正在寻找可以升级为主服务器的从服务器"},
	"event +selected-slave":                    {"chose %s to become the new master", "选中 %s 升级为新的主服务器"},
	"event +failover-state-send-slaveof-noone": {"sends REPLICAOF NO ONE to %s", "向 %s 发送 SLAVEOF NO ONE，将其升级为主服务器"},
	"event +failover-state-wait-promotion":     {"waits for %s to report role:master", "等待 %s 升级为主节点"},
	"event +promoted-slave":                    {"%s is promoted: it reports role:master", "确认 %s 已经升级为主节点"},
	"event +failover-state-reconf-slaves":      {"reconfigures the other replicas to follow the new master", "进入重新配置从节点阶段"},
	"event +slave-reconf-sent":                 {"sent REPLICAOF <new master> to %s", "向 %s 发送新主节点配置"},
	"event +slave-reconf-inprog":               {"%s is syncing with the new master", "%s 正在与新主节点同步"},
	"event +slave-reconf-done":                 {"%s finished syncing with the new master", "%s 与新主节点同步完成"},
	"event +failover-end":                      {"the failover of the master (%s) is complete", "主节点 %s 的故障迁移完成"},
	"event +failover-end-for-timeout":          {"failover ended by failover-timeout; replicas left are reconfigured later", "故障迁移因超时结束"},
	"event +switch-master":                     {"switches the master from %s to %s: clients asking for it now get %s", "切换主节点：%s -> %s，客户端此后连接 %s"},
	"event +config-update-from":                {"takes the new configuration from %s, which led the failover", "从领头哨兵 %s 同步新配置"},
	"event +convert-to-slave":                  {"turns %s, back after the failover, into a replica", "将恢复的旧主节点 %s 降级为从节点"},
	"event +slave":                             {"knows %s as a replica", "关联从节点 %s"},
	"event +sentinel":                          {"learned of sentinel %s", "发现哨兵 %s"},
	"event +reboot":                            {"%s restarted", "%s 已重启"},
	"event +tilt":                              {"enters TILT mode: stops acting for 30 s after a clock jump or freeze", "进入 TILT 模式：时钟跳变或暂停后 30 秒内不采取行动"},
	"event -tilt":                              {"leaves TILT mode", "退出 TILT 模式"},
	"event -failover-abort-no-good-slave":      {"aborts: no replica is fit to promote", "放弃故障迁移：没有合适的从节点"},
	"event -failover-abort-not-elected":        {"aborts: was not elected leader", "放弃故障迁移：未当选领头哨兵"},
	"event -failover-abort-slave-timeout":      {"aborts: the chosen replica did not become master in time", "放弃故障迁移：选中的从节点未能及时升级"},
	"event +failover-detected":                 {"sees that a replica became master on its own", "发现从节点自行升级为主节点"},
	"event +fix-slave-config":                  {"points %s at the right master", "修正 %s 的主节点配置"},
	"event -role-change":                       {"%s now reports role:%s", "%s 报告了新的角色：%s"},
	"event +role-change":                       {"%s now reports role:%s", "%s 报告了新的角色：%s"},
	"event +monitor":                           {"monitors %s", "开始监控 %s"},

	// The report page.
	"title":             {"Failover report", "故障迁移报告"},
	"heading":           {"Failover of %s in lab %s", "%s 的故障迁移（实验环境 %s）"},
	"faultAt":           {"Fault requested at %s", "故障请求于 %s"},
	"faultCall":         {"the engine carried it out in %d ms", "容器引擎执行用时 %d ms"},
	"heldBackWaited":    {"Held back: an earlier failover attempt or vote kept the sentinels from starting one; kill-master waited %s, until %s, before the fault.", "被阻止：之前的故障迁移尝试或投票使哨兵暂时不能发起新的故障迁移；kill-master 等待了 %s（直到 %s）才注入故障。"},
	"heldBackForced":    {"Held back: an earlier failover attempt or vote keeps the sentinels from starting one before %s; kill-master faulted anyway (--force).", "被阻止：之前的故障迁移尝试或投票使哨兵在 %s 之前不能发起新的故障迁移；kill-master 仍然注入了故障（--force）。"},
	"summary":           {"Summary", "概要"},
	"oldMaster":         {"Old master", "原主节点"},
	"newMaster":         {"New master", "新主节点"},
	"fault":             {"Fault", "故障方式"},
	"downAfter":         {"down-after-milliseconds", "down-after-milliseconds"},
	"timers":            {"timers", "定时器"},
	"timersNormal":      {"%s (Sentinel's own periods)", "%s（Sentinel 自身的默认周期）"},
	"timersFast":        {"%s (%s; set with SENTINEL DEBUG)", "%s（%s；用 SENTINEL DEBUG 设置）"},
	"leader":            {"Leader", "领头哨兵"},
	"epoch":             {"epoch %d", "纪元 %d"},
	"followers":         {"Followers", "其他哨兵"},
	"failoverIn":        {"New master reported after", "报告新主节点耗时"},
	"convergedIn":       {"Converged after", "收敛耗时"},
	"server":            {"Server: %s (INFO of the new master)", "服务端：%s（新主节点 INFO 所报告）"},
	"lost":              {"Stopped answering during the failover", "故障迁移期间停止响应"},
	"topology":          {"Topology before and after", "故障迁移前后的拓扑"},
	"before":            {"Before the fault", "故障前"},
	"after":             {"After the failover", "故障迁移后"},
	"roleMaster":        {"master", "主节点"},
	"roleReplica":       {"replica", "从节点"},
	"roleDown":          {"down", "已下线"},
	"faultedKill":       {"down (killed)", "已下线（强制终止）"},
	"faultedStop":       {"down (stopped)", "已下线（正常停止）"},
	"faultedPause":      {"frozen (paused)", "已冻结（暂停）"},
	"faultedDisconnect": {"cut off (split brain)", "被隔离（脑裂）"},
	"faultedSleep":      {"asleep (DEBUG SLEEP)", "休眠中（DEBUG SLEEP）"},
	"faultedLoss":       {"behind a lossy link", "链路丢包"},
	"faultedDelay":      {"behind a slow link", "链路延迟"},
	"roleUnknown":       {"not followed", "未跟踪"},
	"replicates":        {"replicates", "复制"},
	"sentinels":         {"sentinels", "哨兵"},
	"revive":            {"%s rejoins as a replica after `sentinel-lab revive`.", "执行 `sentinel-lab revive` 后，%s 将作为从节点重新加入。"},
	"phases":            {"Phase times", "各阶段耗时"},
	"phase":             {"Phase", "阶段"},
	"sinceFault":        {"Since the fault", "距故障"},
	"vsDownAfter":       {"Against down-after", "相对 down-after"},
	"phaseFailover":     {"the first sentinel reports the new master", "第一个哨兵报告新的主节点"},
	"phaseAgreed":       {"every answering sentinel names it", "所有应答的哨兵都认同新的主节点"},
	"phasePromoted":     {"%s answers role:master", "%s 应答 role:master"},
	"phaseLinked":       {"the other replicas replicate %s, link up", "其余从节点已连接并复制 %s"},
	"phaseConverged":    {"converged: the latest of the above", "收敛：以上各项中最晚的时刻"},
	"markFailover":      {"first report", "首个报告"},
	"markAgreed":        {"all agree", "全部认同"},
	"markPromoted":      {"promoted", "已升级"},
	"markLinked":        {"replicas linked", "从节点已连接"},
	"markFault":         {"fault", "故障"},
	"faultBand":         {"the engine carrying the fault out", "容器引擎正在执行故障操作"},
	"timeline":          {"Sentinel timeline", "哨兵事件时间线"},
	"timelineNote":      {"One lane per sentinel, the leader first. Each mark is an event the sentinel published, at the time it arrived; hover a mark for its explanation. The red line is down-after-milliseconds: no sentinel can notice the fault before it.", "每个哨兵一条泳道，领头哨兵在最上方。每个标记是哨兵发布的一个事件，位置为收到该事件的时间；将鼠标悬停在标记上可查看说明。红线是 down-after-milliseconds：在此之前哨兵无法发现故障。"},
	"secondsAxis":       {"seconds since the fault", "距故障的秒数"},
	"legend":            {"Legend", "图例"},
	"catDetect":         {"failure detection", "故障检测"},
	"catElect":          {"leader election", "选举领头哨兵"},
	"catPromote":        {"promotion", "升级新主节点"},
	"catReconf":         {"replica reconfiguration", "重新配置从节点"},
	"catSwitch":         {"new configuration", "切换配置"},
	"catTrouble":        {"trouble", "异常"},
	"catOther":          {"other", "其他"},
	"roleLeader":        {"leader", "领头哨兵"},
	"roleFollower":      {"follower", "跟随哨兵"},
	"noEvents":          {"no events", "没有事件"},
	"stoppedAnswering":  {"stopped answering", "停止响应"},
	"events":            {"Annotated events", "带注释的哨兵事件"},
	"eventsNote":        {"The sentinels' events in the order they arrived, each with what it means, the way the seed document annotates its sentinel logs.", "按到达顺序排列的哨兵事件，并逐条注释，与种子文档注释哨兵日志的方式相同。"},
	"routine":           {"%d routine events (+slave, +sentinel, ...) are left out here; the JSON has them.", "此处省略了 %d 条例行事件（+slave、+sentinel 等），完整记录见 JSON。"},
	"time":              {"Time", "时间"},
	"clock":             {"Clock", "时钟"},
	"sentinel":          {"Sentinel", "哨兵"},
	"event":             {"Event", "事件"},
	"explanation":       {"Explanation", "说明"},
	"resync":            {"How the replicas caught up", "从节点如何同步"},
	"replica":           {"Replica", "从节点"},
	"follows":           {"Follows", "复制自"},
	"resyncKind":        {"Resync", "同步方式"},
	"noResyncs":         {"No other replica followed the new master.", "没有其他从节点复制新的主节点。"},
	"resyncPartial":     {"partial resync: continued from the new master's backlog", "部分同步：从新主节点的复制积压缓冲区继续"},
	"resyncFull":        {"full resync: the new master sent a whole RDB snapshot", "全量同步：新主节点发送了完整的 RDB 快照"},
	"resyncNone":        {"no resync in its log", "日志中没有同步记录"},
	"linkPartial":       {"partial resync", "部分同步"},
	"linkFull":          {"full resync", "全量同步"},
	"linkNone":          {"no resync", "无需同步"},
	"resyncUnknown":     {"unknown", "未知"},
	"load":              {"Client writes during the failover", "故障迁移期间的客户端写入"},
	"loadNote":          {"A go-redis FailoverClient wrote through the sentinels at %d writes/s, as an application would.", "一个 go-redis FailoverClient 通过哨兵以每秒 %d 次的速度写入，与应用程序的做法相同。"},
	"loadWait":          {"Each write waited (WAIT) for %d replica(s) before it counted as acknowledged.", "每次写入都等待（WAIT）%d 个从节点确认后才算成功。"},
	"attempted":         {"attempted", "尝试写入"},
	"acked":             {"acknowledged", "已确认"},
	"failed":            {"failed", "失败"},
	"outage":            {"outage", "中断时长"},
	"lostAcked":         {"acknowledged, then lost", "已确认但丢失"},
	"outageBand":        {"no write acknowledged for %s", "%s 内没有写入被确认"},
	"ackedPerSecond":    {"acknowledged writes per second", "每秒确认的写入"},
	"failedPerSecond":   {"failed writes per second", "每秒失败的写入"},
	"noLoss":            {"No acknowledged write was lost: the new master has every write the client was told succeeded.", "没有丢失已确认的写入：客户端收到成功确认的每次写入，新主节点上都有。"},
	"loss":              {"%d acknowledged writes were lost (sequence %s): the client was told they succeeded, and the new master does not have them.", "丢失了 %d 次已确认的写入（序号 %s）：客户端被告知写入成功，但新主节点上没有这些数据。"},
	"failures":          {"Why writes failed: %s.", "写入失败的原因：%s。"},
	"isolated":          {"Split brain: a client on the isolated old master's side wrote %d times and the old master acknowledged %d of them (last at %s); those writes exist only on the old master and are dropped when it rejoins.", "脑裂：隔离在旧主节点一侧的客户端写入 %d 次，旧主节点确认了其中 %d 次（最后一次在 %s）；这些写入只存在于旧主节点上，它重新加入时会被丢弃。"},
	"isolatedRefused":   {"It refused %d (min-replicas-to-write).", "它拒绝了 %d 次（min-replicas-to-write）。"},
	"footer":            {"Written by sentinel-lab. Times are measured from the moment the fault took effect.", "由 sentinel-lab 生成。所有时间均从故障生效的时刻起算。"},
	"modeKill":          {"killed (SIGKILL)", "强制终止（SIGKILL）"},
	"modeStop":          {"stopped (SIGTERM)", "正常停止（SIGTERM）"},
	"modePause":         {"paused (frozen, connections open)", "暂停（冻结，连接保持）"},
	"modeDisconnect":    {"cut off from the lab network, still running", "与实验网络断开（仍在运行）"},
	"modeSleep":         {"asleep (DEBUG SLEEP): silent, its connections open", "休眠（DEBUG SLEEP）：不响应，但连接保持"},
	"modeLoss":          {"its packets dropped (packet filter)", "丢弃其数据包（包过滤）"},
	"modeDelay":         {"its packets delayed (netem)", "延迟其数据包（netem）"},
}

// tr returns the string key in lang, formatted with args.
func tr(lang Lang, key string, args ...any) string {
	t, ok := texts[key]
	if !ok {
		panic("report: no text " + key)
	}
	s := t.en
	if lang == Chinese {
		s = t.zh
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// trNamed is the text of prefix+Name ("mode" and "kill" give "modeKill"),
// or fallback when there is none: modes and resync kinds the page does not
// know still show.
func trNamed(lang Lang, prefix, name, fallback string) string {
	if name == "" {
		return fallback
	}
	key := prefix + strings.ToUpper(name[:1]) + name[1:]
	if _, ok := texts[key]; !ok {
		return fallback
	}
	return tr(lang, key)
}
