package nodelog

import (
	"regexp"
	"strings"
)

// The lines around the replication steps that tell how a sync goes, beside
// the steps ParseSync reads. Kept apart from ParseSync so that what counts
// as a step (LastResync, revive's resync) does not change.
const (
	// SyncPinged: "Master replied to PING, replication can continue...".
	SyncPinged SyncKind = "pinged"
	// SyncConnectFired: "Non blocking connect for SYNC fired the event.".
	SyncConnectFired SyncKind = "connect-fired"
	// SyncRDBLoaded: "Done loading RDB, keys loaded: N, ..."; Args[0] is N.
	SyncRDBLoaded SyncKind = "rdb-loaded"
	// SyncRDBInfo: what the replica reads of the snapshot before its keys
	// ("Loading RDB produced by version 7.0.15", "RDB age 0 seconds", ...).
	SyncRDBInfo SyncKind = "rdb-info"
	// SyncMasterLost: "Connection with master lost.".
	SyncMasterLost SyncKind = "master-lost"
	// SyncCached: "Caching the disconnected master state.": the replica
	// keeps its replid and offset to ask for a partial resync later.
	SyncCached SyncKind = "master-cached"
	// SyncCacheDiscarded: "Discarding previously cached master state.".
	SyncCacheDiscarded SyncKind = "cache-discarded"
	// SyncCacheSynthesized: "Before turning into a replica, using my own
	// master parameters to synthesize a cached master ...".
	SyncCacheSynthesized SyncKind = "cache-synthesized"
	// SyncReplicaOf: "REPLICAOF 172.28.5.12:6381 enabled (user request
	// ...)"; Detail is the new master's address.
	SyncReplicaOf SyncKind = "replicaof"
	// SyncMasterMode: "MASTER MODE enabled (user request ...)": REPLICAOF
	// NO ONE, the replica is a master now.
	SyncMasterMode SyncKind = "master-mode"
	// SyncSocketError: "Error condition on socket for SYNC: ...".
	SyncSocketError SyncKind = "socket-error"
	// ServeBacklogCreated: "Replication backlog created, my new
	// replication IDs are 'A' and 'B'"; Args are A and B.
	ServeBacklogCreated SyncKind = "backlog-created"
	// ServeSecondaryID: "Setting secondary replication ID to A, valid up
	// to offset: N. New replication ID is B" (a promoted replica); Args
	// are A, N and B.
	ServeSecondaryID SyncKind = "secondary-id"
	// ServeBGSave: "Starting BGSAVE for SYNC with target: disk" or
	// "replicas sockets"; Detail is the target.
	ServeBGSave SyncKind = "bgsave"
	// ServeTransferStarted: "Background RDB transfer started by pid N" or
	// "Background saving started by pid N".
	ServeTransferStarted SyncKind = "transfer-started"
	// ServeChild: what the forked child logs ("Fork CoW for RDB ...",
	// "DB saved on disk", "RDB: 0 MB of memory used by copy-on-write").
	ServeChild SyncKind = "child"
	// ServeTransferDone: the snapshot is sent ("Diskless rdb transfer,
	// done reading from pipe ...", "Background RDB transfer terminated
	// with success", "Streamed RDB transfer with replica ... succeeded").
	ServeTransferDone SyncKind = "transfer-done"
	// ServeReplicaLost: "Connection with replica 172.28.5.11:6380 lost.".
	ServeReplicaLost SyncKind = "replica-lost"
)

// Repl is one line of a data node's log about replication: a step of
// ParseSync or one of the lines around them.
type Repl struct {
	Sync
	// Args are the values the kind's comment names, in that order; for
	// SyncPartialTried and SyncFull the replid and the offset, for
	// ServePartial the bytes sent and the offset they start from.
	Args []string
}

var replPatterns = []syncPattern{
	{kind: SyncPinged, re: regexp.MustCompile(word + ` replied to PING, replication can continue`)},
	{kind: SyncConnectFired, re: regexp.MustCompile(`Non blocking connect for SYNC fired the event`)},
	{kind: SyncRDBLoaded, re: regexp.MustCompile(`Done loading RDB, keys loaded: (?P<a>\d+)`)},
	{kind: SyncRDBInfo, re: regexp.MustCompile(`^(?:Loading RDB produced by|RDB age|RDB memory usage when created)`)},
	{kind: SyncMasterLost, re: regexp.MustCompile(`Connection with ` + word + ` lost`)},
	{kind: SyncCached, re: regexp.MustCompile(`Caching the disconnected ` + word + ` state`)},
	{kind: SyncCacheDiscarded, re: regexp.MustCompile(`Discarding previously cached ` + word + ` state`)},
	{kind: SyncCacheSynthesized, re: regexp.MustCompile(`synthesize a cached ` + word)},
	{kind: SyncReplicaOf, re: regexp.MustCompile(`(?:REPLICAOF|SLAVE OF) (?P<d>\S+) enabled`)},
	{kind: SyncMasterMode, re: regexp.MustCompile(word + ` MODE enabled`)},
	{kind: SyncSocketError, re: regexp.MustCompile(`Error condition on socket for SYNC: (?P<d>.+)`)},
	{kind: ServeBacklogCreated, re: regexp.MustCompile(`Replication backlog created, my new replication IDs are '(?P<a>\w+)' and '(?P<b>\w+)'`)},
	{kind: ServeSecondaryID, re: regexp.MustCompile(`Setting secondary replication ID to (?P<a>\w+), valid up to offset: (?P<b>\d+)\. New replication ID is (?P<c>\w+)`)},
	{kind: ServeBGSave, re: regexp.MustCompile(`Starting BGSAVE for SYNC with target: (?P<d>disk|replicas sockets)`)},
	{kind: ServeTransferStarted, re: regexp.MustCompile(`Background (?:RDB transfer|saving) started by pid`)},
	{kind: ServeChild, re: regexp.MustCompile(`^(?:Fork CoW for RDB|DB saved on disk|RDB: \d+ MB of memory used by copy-on-write)`)},
	{kind: ServeTransferDone, re: regexp.MustCompile(`Diskless rdb transfer, done reading|Background (?:RDB transfer|saving) terminated with success|Streamed RDB transfer with replica (?P<d>\S+) succeeded`)},
	{kind: ServeReplicaLost, re: regexp.MustCompile(`Connection with replica (?P<d>\S+) lost`)},
}

var (
	backlogSent = regexp.MustCompile(`Sending (\d+) bytes of backlog starting from offset (\d+)`)
	replidAt    = regexp.MustCompile(`^(\w+):(-?\d+)$`)
)

// ParseRepl reads what a data node's log line says about replication, for
// a reader who wants every line of a sync explained.
func ParseRepl(line string) (Repl, bool) {
	if s, ok := ParseSync(line); ok {
		r := Repl{Sync: s}
		switch s.Kind {
		case SyncPartialTried, SyncFull:
			if m := replidAt.FindStringSubmatch(s.Detail); m != nil {
				r.Args = m[1:]
			}
		case ServePartial:
			if m := backlogSent.FindStringSubmatch(Message(line)); m != nil {
				r.Args = m[1:]
			}
		}
		return r, true
	}
	msg := Message(line)
	for _, p := range replPatterns {
		m := p.re.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		r := Repl{Sync: Sync{Kind: p.kind}}
		for i, name := range p.re.SubexpNames() {
			switch name {
			case "w":
				r.Wording = strings.ToLower(m[i])
			case "d":
				r.Detail = strings.TrimSuffix(m[i], ".")
			case "a", "b", "c":
				r.Args = append(r.Args, m[i])
			}
		}
		return r, true
	}
	return Repl{}, false
}
