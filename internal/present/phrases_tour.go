package present

// The tour's texts, in the table's two languages: the seed's section
// titles, its steps, what each INFO field, setting and log line means. The
// zh text keeps the seed's own terms (主观下线, 客观下线, 全量同步, 部分同步,
// 复制积压缓冲区, 纪元, 偏移量).
func init() {
	for k, v := range tourTexts {
		texts[k] = v
	}
}

var tourTexts = map[string]text{
	"tour title info-server":    {"INFO: Server", "Info：Server"},
	"tour title info-master":    {"INFO: Master", "Info：Master"},
	"tour title info-replica":   {"INFO: Slave (replica)", "Info：Slave（从服务器）"},
	"tour title info-sentinel":  {"INFO: Sentinel", "Info：Sentinel"},
	"tour title sync-steps":     {"Master-replica sync: the steps", "主从同步"},
	"tour title full-sync":      {"Full resync", "全量同步"},
	"tour title partial-sync":   {"Partial resync", "部分同步"},
	"tour title failover-steps": {"Failover: the steps", "故障迁移"},
	"tour title follower":       {"The followers' logs", "Follower（跟随哨兵）的日志"},
	"tour title leader":         {"The leader's log", "Leader（领头哨兵）的日志"},

	"tour intro info-server":    {"`INFO server` of the master and of a sentinel: redis_mode (server_mode on Valkey 8) tells a data node (standalone) from a sentinel (sentinel) or a cluster node (cluster).", "主节点与一个哨兵的 `INFO server`：redis_mode（Valkey 8 为 server_mode）是运行模式 standalone/sentinel/cluster。"},
	"tour intro info-master":    {"`INFO replication` of the master (%s): its role, its replicas, its replication ID, offset and backlog.", "主节点（%s）的 `INFO replication`：角色、从服务器、复制 ID、复制偏移量与复制积压缓冲区。"},
	"tour intro info-replica":   {"`INFO replication` of a replica (%s): which master it follows and how far it has read the master's stream.", "从服务器（%s）的 `INFO replication`：它复制哪个主服务器，以及已接收到主服务器数据流的哪个偏移量。"},
	"tour intro info-sentinel":  {"`INFO sentinel` of a sentinel (%s): the masters it monitors and what it thinks of each.", "哨兵（%s）的 `INFO sentinel`：它监控的主服务器以及对每个主服务器的看法。"},
	"tour intro sync-steps":     {"What happens when a replica syncs with its master, the seed's six steps. Today's servers send PSYNC <replid> <offset> rather than SYNC, and with repl-diskless-sync yes (this lab) the snapshot streams to the replica's socket instead of an RDB file on disk.", "从服务器与主服务器同步时的六个步骤。如今的服务器发送 PSYNC <replid> <offset> 而不是 SYNC；本实验环境设置 repl-diskless-sync yes，快照直接写入从服务器的连接，而不是先在磁盘上生成 RDB 文件。"},
	"tour intro full-sync":      {"A full resync of %s from %s, both logs as written just now.", "%s 从 %s 进行的全量同步，两边的日志均为刚刚写下的原文。"},
	"tour intro partial-sync":   {"After the failover, %s followed the new master %s with a partial resync: PSYNC with the old master's replication ID and its offset, answered from the new master's replication backlog.", "故障迁移后，%s 以部分同步的方式复制新的主服务器 %s：用旧主服务器的复制 ID 和自己的偏移量发送 PSYNC，新主服务器从复制积压缓冲区发送缺少的增量部分。"},
	"tour intro failover-steps": {"The steps of a failover, as the leading sentinel carries them out. The tour killed %s (SIGKILL) and waited for the sentinels; then `revive` started it again and the sentinels turned it into a replica of %s.", "故障迁移由以下步骤组成（由领头 Sentinel 执行）。本次导览强制终止了 %s（SIGKILL）并等待哨兵完成故障迁移；随后 `revive` 重新启动它，哨兵将它降级为 %s 的从服务器。"},
	"tour intro follower":       {"What each follower (a sentinel that voted for the leader) logged, from the fault until the lab was whole again. Lines marked (log only) are not published as events.", "每个跟随哨兵（投票给领头哨兵的哨兵）从故障到实验环境恢复期间的日志。标有（仅日志）的行不会作为事件发布。"},
	"tour intro leader":         {"What the leader (%s) logged: the election, the promotion, the reconfiguration of the replicas.", "领头哨兵（%s）的日志：选举、升级新主节点、重新配置从节点。"},

	"tour steps sync-steps": {
		"The replica connects to the master and sends PSYNC (SYNC in old servers): with no replication ID to continue, PSYNC ? -1, a full resync.\n" +
			"The master starts a BGSAVE: a forked child writes a snapshot (RDB) while the master buffers every write that follows for this replica.\n" +
			"The master sends the snapshot (streamed to the socket with repl-diskless-sync yes), still buffering the writes executed meanwhile.\n" +
			"The replica drops all its old data (Flushing old data) and loads the snapshot (Loading DB in memory).\n" +
			"Once the snapshot is sent, the master sends the buffered writes, then every new write as it comes: the replication stream.\n" +
			"The replica, done loading, serves requests again and applies the master's writes; both count the bytes of the stream as their offset.",
		"从服务器连接主服务器，发送 PSYNC（旧版本为 SYNC）；没有可以继续的复制 ID 时发送 PSYNC ? -1，即全量同步。\n" +
			"主服务器收到后执行 bgsave：子进程生成 RDB 快照，主服务器用缓冲区记录此后对该从服务器执行的所有写命令。\n" +
			"主服务器向从服务器发送快照（repl-diskless-sync yes 时直接写入连接），发送期间继续记录被执行的写命令。\n" +
			"从服务器收到快照后丢弃所有旧数据（Flushing old data），载入收到的快照（Loading DB in memory）。\n" +
			"快照发送完毕后，主服务器开始向从服务器发送缓冲区中的写命令，此后每条新的写命令都实时发送。\n" +
			"从服务器完成快照的载入，开始接收命令请求，并执行来自主服务器的写命令；双方都以数据流的字节数作为复制偏移量。"},
	"tour steps failover-steps": {
		"A sentinel finds the master objectively down (+odown: quorum sentinels agree it is subjectively down).\n" +
			"It increments its current epoch (+new-epoch, as in Raft leader election) and tries to be elected in it (+try-failover, +vote-for-leader).\n" +
			"If it is not elected, it tries again after twice the failover-timeout (the log-only \"Next failover delay\"); if it is, it goes on (+elected-leader).\n" +
			"It selects a replica to promote (+failover-state-select-slave, +selected-slave).\n" +
			"It sends the chosen replica REPLICAOF NO ONE to turn it into a master (+failover-state-send-slaveof-noone, +promoted-slave).\n" +
			"Through pub/sub (hello messages) it spreads the new configuration; the other sentinels update theirs (+config-update-from, +switch-master).\n" +
			"It sends the old master's other replicas REPLICAOF <new master> (+slave-reconf-sent, -inprog, -done).\n" +
			"When every replica replicates the new master, the leader ends the failover (+failover-end).",
		"发现主服务器已经进入客观下线状态（+odown：达到法定数的哨兵认为它主观下线）。\n" +
			"对当前纪元进行自增（+new-epoch，参考 Raft leader election），并尝试在这个纪元中当选（+try-failover、+vote-for-leader）。\n" +
			"如果当选失败，那么在故障迁移超时时间（failover-timeout）的两倍之后重新尝试当选（仅记录在日志中的 \"Next failover delay\"）；如果当选成功（+elected-leader），执行以下步骤。\n" +
			"选出一个从服务器，并将它升级为主服务器（+failover-state-select-slave、+selected-slave）。\n" +
			"向被选中的从服务器发送 SLAVEOF NO ONE 命令，让它转变为主服务器（+failover-state-send-slaveof-noone、+promoted-slave）。\n" +
			"通过发布与订阅功能，将更新后的配置传播给所有其他 Sentinel，其他 Sentinel 对它们自己的配置进行更新（+config-update-from、+switch-master）。\n" +
			"向已下线主服务器的从服务器发送 SLAVEOF host port 命令，让它们去复制新的主服务器（+slave-reconf-sent、-inprog、-done）。\n" +
			"当所有从服务器都已经开始复制新的主服务器时，领头 Sentinel 终止这次故障迁移操作（+failover-end）。"},

	// INFO fields.
	"tour field redis_version":                   {"the server's version (Valkey keeps it at the Redis version it is compatible with)", "服务端版本（Valkey 在此填写其兼容的 Redis 版本）"},
	"tour field valkey_version":                  {"Valkey's own version", "Valkey 自身的版本"},
	"tour field redis_mode":                      {"how the process runs: standalone (a data node), sentinel or cluster", "运行模式：standalone（数据节点）/sentinel/cluster"},
	"tour field server_mode":                     {"how the process runs: standalone (a data node), sentinel or cluster (Valkey 8's name for redis_mode)", "运行模式：standalone/sentinel/cluster（Valkey 8 中 redis_mode 的名称）"},
	"tour field process_id":                      {"the process id inside its container (1: the server is the container's first process)", "容器内的进程号（1 表示服务端是容器的第一个进程）"},
	"tour field run_id":                          {"a random 40-character id drawn at each start: a restarted node has a new one. It is not the replication ID (master_replid) a PSYNC names, though the seed calls that one runid too", "每次启动时随机生成的 40 位标识：节点重启后会改变。它不是 PSYNC 使用的复制 ID（master_replid），尽管种子文档也把后者称为 runid"},
	"tour field tcp_port":                        {"the port it listens on inside the lab network", "在实验网络内监听的端口"},
	"tour field uptime_in_seconds":               {"seconds since it started", "启动以来的秒数"},
	"tour field executable":                      {"the server binary", "服务端可执行文件"},
	"tour field config_file":                     {"its conf, which it rewrites (CONFIG REWRITE; a sentinel after every change)", "其配置文件，服务端会改写它（CONFIG REWRITE；哨兵每次变更后都会改写）"},
	"tour field role":                            {"its role now: master, or slave (a replica)", "当前角色：master 或 slave（从服务器）"},
	"tour field connected_slaves":                {"how many replicas are connected to it", "已连接的从服务器数目"},
	"tour field slaveN":                          {"one replica as the master sees it: its address, its state (online once synced), the offset it acknowledged and the seconds since its last acknowledgement (lag)", "主服务器眼中的一个从服务器：地址、状态（同步完成后为 online）、已确认的复制偏移量、距上次确认的秒数（lag）"},
	"tour field master_host":                     {"the master it replicates", "所复制的主服务器地址"},
	"tour field master_port":                     {"the master's port", "主服务器端口"},
	"tour field master_link_status":              {"up while its link to the master works; down while disconnected or syncing", "与主服务器的连接正常时为 up；断开或同步中为 down"},
	"tour field master_last_io_seconds_ago":      {"seconds since it last heard from the master (the master pings every repl-ping-replica-period, 10 s)", "距上次收到主服务器数据的秒数（主服务器每 repl-ping-replica-period 即 10 秒发送一次 PING）"},
	"tour field master_sync_in_progress":         {"1 while a full resync is loading", "全量同步进行中为 1"},
	"tour field slave_read_repl_offset":          {"the offset it has read from the master's stream", "已从主服务器数据流读取到的偏移量"},
	"tour field slave_repl_offset":               {"the offset it has applied: the bytes of the master's stream it processed; equal to the master's master_repl_offset when in sync", "已执行的复制偏移量：处理过的主服务器数据流字节数；同步时等于主服务器的 master_repl_offset"},
	"tour field slave_priority":                  {"replica-priority: sentinel promotes the lowest non-zero one first (0: never)", "replica-priority：哨兵优先升级数值最小的非 0 从服务器（0 表示永不升级）"},
	"tour field slave_read_only":                 {"1: it refuses writes from clients", "1 表示拒绝客户端写入"},
	"tour field master_replid":                   {"the replication ID (the seed's runid): 40 random characters naming the history of writes this node serves or follows", "复制 ID（种子文档中的 runid）：40 位随机字符串，标识该节点提供或复制的写入历史"},
	"tour field master_replid2":                  {"the replication ID it had before it was promoted, still accepted from replicas up to second_repl_offset; zeros when it never was", "升级为主服务器之前的复制 ID，偏移量不超过 second_repl_offset 时仍被接受；从未升级时全为 0"},
	"tour field master_repl_offset":              {"the replication offset: bytes of writes (and pings) it has sent down the stream", "复制偏移量：已发送到复制数据流中的字节数（写命令与 PING）"},
	"tour field second_repl_offset":              {"up to which offset master_replid2 is accepted for PSYNC; -1 when there is no old ID", "master_replid2 可用于 PSYNC 的最大偏移量；没有旧 ID 时为 -1"},
	"tour field repl_backlog_active":             {"1 when it keeps a replication backlog buffer", "1 表示维护复制积压缓冲区"},
	"tour field repl_backlog_size":               {"repl-backlog-size: the backlog's fixed size, a FIFO of the latest stream bytes shared by all replicas (default 1 MB)", "repl-backlog-size：复制积压缓冲区的固定大小，是所有从服务器共享的最近数据流的 FIFO 队列（默认 1MB）"},
	"tour field repl_backlog_first_byte_offset":  {"the offset of the oldest byte in the backlog: a PSYNC from an offset before it must be a full resync", "积压缓冲区中最早字节的偏移量：从更早的偏移量发起的 PSYNC 只能全量同步"},
	"tour field repl_backlog_histlen":            {"how many bytes the backlog holds now", "积压缓冲区当前保存的字节数"},
	"tour field sentinel_masters":                {"how many masters this sentinel monitors", "该哨兵监控的主服务器数目"},
	"tour field sentinel_tilt":                   {"1 in TILT mode (after a clock jump or a freeze it does nothing for 30 s)", "1 表示处于 TILT 模式（时钟跳变或暂停后 30 秒内不采取行动）"},
	"tour field sentinel_running_scripts":        {"notification scripts running now", "正在运行的通知脚本数"},
	"tour field sentinel_scripts_queue_length":   {"notification scripts waiting", "等待运行的通知脚本数"},
	"tour field sentinel_simulate_failure_flags": {"SENTINEL SIMULATE-FAILURE flags armed (crash-after-election ...)", "SENTINEL SIMULATE-FAILURE 设置的模拟故障标志"},
	"tour field master0":                         {"the master it monitors: its name, status (ok, sdown, odown), where the sentinels say it is now, and how many replicas and sentinels (itself included) it knows", "所监控的主服务器：名称、状态（ok/sdown/odown）、当前地址，以及已知的从服务器和哨兵数目（含自身）"},
	"tour field sync_full":                       {"full resyncs this master served since it started", "该主服务器启动以来进行的全量同步次数"},
	"tour field sync_partial_ok":                 {"partial resyncs it accepted", "接受的部分同步次数"},
	"tour field sync_partial_err":                {"partial resyncs it refused (then served a full one)", "拒绝的部分同步次数（随后进行全量同步）"},

	// Settings and values read from the logs.
	"tour field repl-diskless-sync":       {"yes: the snapshot streams to the replica's socket, no RDB file is written for it", "yes：快照直接写入从服务器的连接，不为同步生成 RDB 文件"},
	"tour field repl-diskless-sync-delay": {"seconds the master waits for more replicas before a diskless transfer (0 here, 5 by default)", "无盘同步前等待更多从服务器的秒数（此处为 0，默认 5）"},
	"tour field repl-backlog-size":        {"the size of the replication backlog buffer (复制积压缓冲区), in bytes", "复制积压缓冲区的大小（字节）"},
	"tour field repl-backlog-ttl":         {"seconds a master without replicas keeps its backlog", "没有从服务器时保留积压缓冲区的秒数"},
	"tour field save":                     {"when the node saves an RDB snapshot on its own (seconds changes)", "自动保存 RDB 快照的条件（秒数 修改次数）"},
	"tour field full_resync_replid":       {"the replication ID the master told the replica in +FULLRESYNC: the master's master_replid", "主服务器在 +FULLRESYNC 中告诉从服务器的复制 ID：即主服务器的 master_replid"},
	"tour field full_resync_offset":       {"the master's offset the snapshot stands for: the replica continues the stream from there", "快照对应的主服务器偏移量：从服务器从这里继续接收数据流"},
	"tour field psync_replid":             {"the replication ID the replica asked to continue (PSYNC <replid> <offset>): the old master's, which the new master keeps as master_replid2", "从服务器请求继续的复制 ID（PSYNC <replid> <offset>）：旧主服务器的 ID，新主服务器将其保存为 master_replid2"},
	"tour field psync_offset":             {"the offset it asked to continue from: its own offset when the old master went, plus one", "请求继续的偏移量：旧主服务器下线时自己的复制偏移量加一"},
	"tour field backlog_bytes":            {"the bytes the new master sent from its backlog: what the replica missed", "新主服务器从积压缓冲区发送的字节数：从服务器缺少的增量部分"},
	"tour field backlog_offset":           {"the offset the backlog was sent from: the PSYNC offset", "积压缓冲区开始发送的偏移量：即 PSYNC 的偏移量"},
	"tour field down-after-milliseconds":  {"how long the master may not answer before a sentinel flags it subjectively down (+sdown)", "主服务器多久没有有效回复后，哨兵将其标记为主观下线（+sdown）"},
	"tour field quorum":                   {"how many sentinels must agree it is down for objectively down (+odown); a majority of sentinels must still elect the leader", "判定客观下线（+odown）所需同意的哨兵数；选举领头哨兵仍需多数哨兵"},
	"tour field failover-timeout":         {"bounds the failover's steps; a sentinel that voted or tried waits twice this before it tries again", "故障迁移各步骤的超时时间；投过票或尝试过的哨兵需等待其两倍时间才能再次尝试"},
	"tour field parallel-syncs":           {"how many replicas are reconfigured to the new master at once", "同时重新配置指向新主服务器的从服务器数目"},
	"tour field old_master":               {"the master the tour killed", "本次导览强制终止的主服务器"},
	"tour field leader":                   {"the sentinel elected to carry the failover out", "当选执行故障迁移的领头哨兵"},
	"tour field epoch":                    {"the epoch (纪元) of the election it won: each attempt is a new term", "它赢得选举的纪元：每次尝试都是新的一轮"},
	"tour field new_master":               {"the replica the leader promoted", "领头哨兵升级的从服务器"},
	"tour field failover_ms":              {"ms from the fault until the first sentinel reported the new master", "从故障到第一个哨兵报告新主服务器的毫秒数"},
	"tour field myid":                     {"the sentinel's id: other sentinels' logs and votes name it by this", "哨兵的 ID：其他哨兵的日志与投票用它指代该哨兵"},
}

// What each replication line of a data node's log means, keyed "tour line
// <kind>" (nodelog's kinds); %s are the values the line holds.
var tourLineTexts = map[string]text{
	"tour line connecting":         {"connects to %s, its master", "建立连接：连接主服务器 %s"},
	"tour line sync-started":       {"starts the sync with its master", "开始同步"},
	"tour line connect-fired":      {"the connection to the master is open", "与主服务器的连接已建立"},
	"tour line pinged":             {"the master answered PING: replication goes on (AUTH, REPLCONF, then PSYNC)", "主服务器回复了 PING，复制可以继续（随后 AUTH、REPLCONF、PSYNC）"},
	"tour line partial-impossible": {"it has no cached master (nothing to continue): it sends PSYNC ? -1, asking for a full resync", "没有缓存的主服务器状态（无可继续）：发送 PSYNC ? -1，请求全量同步"},
	"tour line partial-tried":      {"sends PSYNC %s %s: asks to continue that replication ID from that offset", "发送 PSYNC %s %s：请求从该偏移量继续该复制 ID 的数据流"},
	"tour line partial":            {"the master accepted: a partial resync (部分同步), only the missing bytes come", "主服务器接受了请求：部分同步，只传输缺少的增量部分"},
	"tour line full":               {"the master answered +FULLRESYNC %s %s: a whole snapshot follows, standing for that offset of that history (全量同步)", "主服务器回复 +FULLRESYNC %s %s：随后发送完整快照，对应该复制 ID 的该偏移量（全量同步）"},
	"tour line loading receiving":  {"receives the snapshot, streamed from the master's socket (EOF-marked), into a temporary file", "接收主服务器直接从连接发送的快照（以 EOF 标记结尾），写入临时文件"},
	"tour line loading flushing":   {"drops all its old data", "从服务器丢弃所有旧数据"},
	"tour line loading loading":    {"loads the received snapshot", "载入收到的快照"},
	"tour line loading":            {"a step of the snapshot's transfer", "快照传输的一个步骤"},
	"tour line sync-done":          {"the snapshot is loaded: the replica is in sync and applies the master's stream from now on", "快照载入完成：从服务器已同步，此后执行来自主服务器的写命令"},
	"tour line sync-done partial":  {"the sync is done as a partial resync: the link is up again", "以部分同步完成同步：连接恢复正常"},
	"tour line sync-failed":        {"the sync failed; the replica tries again", "同步失败，从服务器会重试"},
	"tour line replica-asks":       {"%s asks for a sync (PSYNC)", "主服务器接收到 %s 的同步请求（PSYNC）"},
	"tour line serves-full":        {"%s asked for a full resync: it had no history to continue", "%s 请求全量同步：它没有可以继续的复制历史"},
	"tour line serves-partial":     {"accepts %s's PSYNC: sends the %s bytes it missed from the replication backlog buffer, from offset %s", "接受 %s 的 PSYNC：从复制积压缓冲区发送其缺少的 %s 字节，起始偏移量 %s"},
	"tour line partial-refused":    {"cannot continue what the replica asked for (%s: the replication ID it sent is neither of this master's): a full resync follows", "无法继续从服务器请求的数据流（%s：它发送的复制 ID 不是本主服务器的任何一个）：随后进行全量同步"},
	"tour line serve-done":         {"the sync with %s succeeded: it is online and gets the stream", "与 %s 的同步成功：它已在线并接收数据流"},
	"tour line rdb-loaded":         {"loaded %s keys from the snapshot", "从快照载入了 %s 个键"},
	"tour line rdb-info":           {"reads the snapshot's header (version, age, memory)", "读取快照的头信息（版本、时间、内存）"},
	"tour line master-lost":        {"lost its link to the master", "与主服务器的连接断开"},
	"tour line master-cached":      {"keeps the lost master's replication ID and offset, to ask for a partial resync later", "缓存断开的主服务器的复制 ID 与偏移量，以便之后请求部分同步"},
	"tour line cache-discarded":    {"drops the cached master state: that history will not be continued (a full resync replaces it, or the node is a master now)", "丢弃缓存的主服务器状态：不再继续该复制历史（被全量同步取代，或节点已成为主服务器）"},
	"tour line cache-synthesized":  {"it was a master: it takes its own replication ID and offset as the cached master, hoping for a partial resync", "它原来是主服务器：用自己的复制 ID 与偏移量作为缓存的主服务器状态，争取部分同步"},
	"tour line replicaof":          {"took REPLICAOF %s: it is to replicate that master", "执行了 REPLICAOF %s：开始复制该主服务器"},
	"tour line master-mode":        {"took REPLICAOF NO ONE: it is a master now", "执行了 REPLICAOF NO ONE：现在是主服务器"},
	"tour line socket-error":       {"cannot reach the master (%s); it retries every second", "无法连接主服务器（%s）；每秒重试"},
	"tour line backlog-created":    {"creates its replication backlog buffer (复制积压缓冲区); its replication IDs are %s and %s", "创建复制积压缓冲区；复制 ID 为 %s 和 %s"},
	"tour line secondary-id":       {"promoted: keeps the old replication ID %s as master_replid2, valid up to offset %s (second_repl_offset), and starts a new one, %s (master_replid)", "升级为主服务器：将旧复制 ID %s 保存为 master_replid2，有效至偏移量 %s（second_repl_offset），并生成新的复制 ID %s（master_replid）"},
	"tour line bgsave":             {"starts BGSAVE for the sync, target %s", "开始执行 bgsave 命令生成 RDB，目标：%s"},
	"tour line transfer-started":   {"a forked child produces the snapshot while the master keeps serving", "子进程生成快照，主服务器继续提供服务"},
	"tour line child":              {"the child process (C) reports on the snapshot it wrote", "子进程（C）报告所生成快照的情况"},
	"tour line transfer-done":      {"the snapshot is sent", "快照发送完毕"},
	"tour line replica-lost":       {"lost its link to replica %s", "与从服务器 %s 的连接断开"},

	// The sentinel log lines no event stands for.
	"tour note failover-delay": {"(log only) it voted or tried in this election, so it starts no failover of this master before %s: twice failover-timeout", "（仅日志）它在本次选举中投过票或尝试过，因此在 %s 之前不会对该主服务器发起故障迁移：故障迁移超时时间的两倍"},
	"tour note voted-for":      {"(log only) %s voted for %s in epoch %d: a vote the leader collects for its own election", "（仅日志）%[1]s 在纪元 %[3]d 中投票给 %[2]s：领头哨兵为自己的选举收集到的选票"},

	// What the tour did and how the values tie together.
	"tour did resync":         {"To make a full resync happen, the tour sent %s REPLICAOF NO ONE, then REPLICAOF %s again (%d ms until it was in sync). For that moment %s was a master with a replication ID of its own, which %s cannot continue, so it sent a whole snapshot. %s kept its keys until the snapshot replaced them with the master's same keys: nothing under data/ was deleted.", "为了触发一次全量同步，本次导览向 %s 发送了 REPLICAOF NO ONE，随后再次 REPLICAOF %s（%d ms 后完成同步）。在那一刻 %s 成为拥有自己复制 ID 的主服务器，%s 无法继续该复制 ID，因此发送了完整快照。%s 的数据一直保留，直到快照用主服务器上相同的数据替换它：data/ 下没有删除任何东西。"},
	"tour did failover":       {"The tour killed %s (SIGKILL); the sentinels promoted %s; `revive` started %s again and the sentinels made it a replica of %s (%d ms in all).", "本次导览强制终止了 %s（SIGKILL）；哨兵将 %s 升级为主服务器；`revive` 重新启动 %s，哨兵将其降级为 %s 的从服务器（共 %d ms）。"},
	"tour tie full":           {"The replication ID in \"Full resync from master\" is %s's master_replid: the replica now follows that history.", "\"Full resync from master\" 中的复制 ID 就是 %s 的 master_replid：从服务器此后复制该历史。"},
	"tour tie replid":         {"%s asked with replication ID %s: the old master's, which %s kept as master_replid2 when it was promoted.", "%s 使用复制 ID %s 请求：这是旧主服务器的 ID，%s 升级时将其保存为 master_replid2。"},
	"tour tie replid differs": {"%s asked with replication ID %s, which is not %s's master_replid2 (%s).", "%s 使用复制 ID %s 请求，但它不是 %s 的 master_replid2（%s）。"},
	"tour tie offset":         {"The PSYNC offset %s is where %s sent its backlog from: both logs name the same point of the stream, within second_repl_offset %s, so the old history could be continued.", "PSYNC 的偏移量 %s 正是 %s 开始发送积压缓冲区的偏移量：两边日志指向数据流的同一位置，且不超过 second_repl_offset %s，因此旧的复制历史可以继续。"},
	"tour tie offset differs": {"The PSYNC offset %s and the backlog's start %s differ.", "PSYNC 的偏移量 %s 与积压缓冲区的起始偏移量 %s 不同。"},
	"tour tie caught up":      {"Now %s's slave_repl_offset is %s and %s's master_repl_offset %s: in sync when equal; writes since the INFO make them differ.", "现在 %s 的 slave_repl_offset 为 %s，%s 的 master_repl_offset 为 %s：相等表示已同步；读取 INFO 之后的写入会使两者不同。"},
	"tourNode":                {"Node", "节点"},
	"tourField":               {"Field", "字段"},
	"tourValue":               {"Value", "值"},
	"tourLine":                {"Log line, as written", "日志原文"},
	"tour heading":            {"A tour of lab %q: the seed document, live", "实验环境 %q 导览：种子文档的实时演示"},
	"tour plan":               {"On the way it makes a full resync of a replica (REPLICAOF NO ONE, then REPLICAOF its master again: no data is lost, nothing under data/ is deleted) and a failover (kill-master, then revive: the lab ends healthy, with another master).", "途中会让一个从服务器进行一次全量同步（REPLICAOF NO ONE 后再 REPLICAOF 原主服务器：不丢失数据，不删除 data/ 下的任何东西），并进行一次故障迁移（kill-master 后 revive：实验环境最终恢复正常，主节点更换）。"},
	"tour pause":              {"(Enter: next section)", "（回车：下一节）"},
	"tour next":               {"The lab is whole again, with another master. `sentinel-lab report` draws this failover as a page; `sentinel-lab tour` again shows the next one.", "实验环境已恢复，主节点已更换。`sentinel-lab report` 可生成本次故障迁移的报告页面；再次运行 `sentinel-lab tour` 将演示下一次故障迁移。"},
	"tour none partial":       {"No replica followed the new master with a partial resync in this failover.", "本次故障迁移中没有从服务器以部分同步的方式复制新的主服务器。"},
}

func init() {
	for k, v := range tourLineTexts {
		texts[k] = v
	}
}
