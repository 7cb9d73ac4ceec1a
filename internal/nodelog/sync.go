package nodelog

import (
	"bufio"
	"regexp"
	"strings"
)

// SyncKind is one step of replication, as a data node's log tells it.
type SyncKind string

// The steps a replica logs while it (re)joins its master...
const (
	// SyncConnecting: "Connecting to MASTER 172.28.5.11:6380" (or
	// "Reconnecting to"); Detail is the master's address.
	SyncConnecting SyncKind = "connecting"
	// SyncStarted: "MASTER <-> REPLICA sync started".
	SyncStarted SyncKind = "sync-started"
	// SyncPartialTried: "Trying a partial resynchronization (request
	// <replid>:<offset>)."; Detail is the replid:offset asked for.
	SyncPartialTried SyncKind = "partial-tried"
	// SyncPartialImpossible: "Partial resynchronization not possible (no
	// cached master)": the replica has no replication state to continue.
	SyncPartialImpossible SyncKind = "partial-impossible"
	// SyncPartial: "Successful partial resynchronization with master.":
	// the replica continues from its master's backlog (the seed's 部分同步).
	SyncPartial SyncKind = "partial"
	// SyncFull: "Full resync from master: <replid>:<offset>": the master
	// sends a whole RDB snapshot (全量同步); Detail is replid:offset.
	SyncFull SyncKind = "full"
	// SyncLoading: the snapshot's transfer and load ("MASTER <-> REPLICA
	// sync: receiving ...", "Flushing old data", "Loading DB in memory").
	SyncLoading SyncKind = "loading"
	// SyncDone: "MASTER <-> REPLICA sync: Finished with success", or
	// "... Master accepted a Partial Resynchronization." (Detail "partial").
	SyncDone SyncKind = "sync-done"
	// SyncFailed: a sync that could not complete ("Failed trying to load
	// the MASTER synchronization DB ...").
	SyncFailed SyncKind = "sync-failed"
)

// ... and the steps a master logs while it serves a replica; Detail is the
// replica's address.
const (
	// ServeAsked: "Replica 172.28.5.12:6381 asks for synchronization".
	ServeAsked SyncKind = "replica-asks"
	// ServeFull: "Full resync requested by replica 172.28.5.12:6381".
	ServeFull SyncKind = "serves-full"
	// ServePartial: "Partial resynchronization request from
	// 172.28.5.12:6381 accepted. ...".
	ServePartial SyncKind = "serves-partial"
	// ServePartialRefused: "Partial resynchronization not accepted: ..." or
	// "Unable to partial resync with replica ... for lack of backlog".
	ServePartialRefused SyncKind = "partial-refused"
	// ServeDone: "Synchronization with replica 172.28.5.12:6381 succeeded".
	ServeDone SyncKind = "serve-done"
)

// Sync is one replication line of a data node's log.
type Sync struct {
	Kind SyncKind
	// Detail is an address or a replid:offset, as each kind says.
	Detail string
	// Wording is the word the line uses for the node a replica follows:
	// "master" (Redis, Valkey 7.2) or "primary" (Valkey 8); "" when the
	// line names neither.
	Wording string
}

// syncPattern recognises one kind of line. In each expression, the group
// named w is the master/primary word and the group named d the detail.
// The expressions are not anchored: the phrases are distinctive, and a log
// format other than the default (Valkey's logfmt) still reads.
type syncPattern struct {
	kind SyncKind
	re   *regexp.Regexp
	// detail replaces the d group when set.
	detail string
}

// word matches the name a server gives the node a replica follows, in any
// capitals: Redis writes "MASTER <-> REPLICA" and "master", Valkey 8
// "PRIMARY <-> REPLICA", "Primary" and "primary".
const word = `(?P<w>(?i:master|primary))`

var syncPatterns = []syncPattern{
	{kind: SyncConnecting, re: regexp.MustCompile(`(?:Re)?[Cc]onnecting to ` + word + ` (?P<d>\S+)`)},
	{kind: SyncStarted, re: regexp.MustCompile(word + ` <-> REPLICA sync started`)},
	{kind: SyncPartialTried, re: regexp.MustCompile(`Trying a partial resynchronization (?:using main channel )?\(request (?P<d>[^)]+)\)`)},
	{kind: SyncPartialImpossible, re: regexp.MustCompile(`Partial resynchronization not possible \(no cached ` + word + `\)`)},
	{kind: SyncPartial, re: regexp.MustCompile(`Successful partial resynchronization with ` + word)},
	{kind: SyncFull, re: regexp.MustCompile(`Full resync from ` + word + `: (?P<d>\S+)`)},
	{kind: SyncDone, detail: "partial", re: regexp.MustCompile(word + ` <-> REPLICA sync: (?i:master|primary) accepted a Partial Resynchronization`)},
	{kind: SyncDone, re: regexp.MustCompile(word + ` <-> REPLICA sync: Finished with success`)},
	{kind: SyncLoading, re: regexp.MustCompile(word + ` <-> REPLICA sync: (?P<d>.+)`)},
	{kind: SyncFailed, re: regexp.MustCompile(`(?:Failed|Opening|Write error).* ` + word + `(?: <-> REPLICA)? synchronization`)},
	{kind: ServeAsked, re: regexp.MustCompile(`Replica (?P<d>\S+) asks for synchronization`)},
	{kind: ServeFull, re: regexp.MustCompile(`Full resync requested by replica (?P<d>\S+)`)},
	{kind: ServePartial, re: regexp.MustCompile(`Partial resynchronization request from (?P<d>\S+) accepted`)},
	{kind: ServePartialRefused, re: regexp.MustCompile(`(?:Partial resynchronization not accepted: |Unable to partial resync with replica )(?P<d>.+)`)},
	{kind: ServeDone, re: regexp.MustCompile(`Synchronization with replica (?P<d>\S+) succeeded`)},
}

// ParseSync reads a replication step from one log line (with or without
// its header). It is the one place that knows how Redis and Valkey word
// replication in their logs.
func ParseSync(line string) (Sync, bool) {
	msg := Message(line)
	for _, p := range syncPatterns {
		m := p.re.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		s := Sync{Kind: p.kind, Detail: p.detail}
		for i, name := range p.re.SubexpNames() {
			switch name {
			case "w":
				s.Wording = strings.ToLower(m[i])
			case "d":
				s.Detail = strings.TrimSuffix(m[i], ".")
			}
		}
		return s, true
	}
	return Sync{}, false
}

// Sync reads the replication step the line logs, if any.
func (l Line) Sync() (Sync, bool) { return ParseSync(l.Text) }

// LastResync is how a replica last caught up with its master in text, a
// part of its log: SyncFull, SyncPartial, or "" when text holds neither.
func LastResync(text string) SyncKind {
	var last SyncKind
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		if s, ok := ParseSync(sc.Text()); ok && (s.Kind == SyncFull || s.Kind == SyncPartial) {
			last = s.Kind
		}
	}
	return last
}
