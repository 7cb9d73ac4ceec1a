package server

import (
	"fmt"
	"strings"
)

// Feature is something the lab uses that not every server has.
type Feature struct {
	// Name is what the user would call it: "SENTINEL DEBUG".
	Name string
	// Redis is the first Redis version that has it.
	Redis Version
	// Valkey is the first Valkey version that has it; the zero version
	// means every Valkey (Valkey forked from Redis 7.2.4).
	Valkey Version
}

// The features that differ between the servers the lab runs.
var (
	// MultiSectionInfo: INFO with several sections in one call
	// (`INFO server replication`); Redis 6.2 answers "ERR syntax error".
	MultiSectionInfo = Feature{Name: "INFO with several sections in one call", Redis: Version{7, 0, 0}}
	// SentinelDebug: `SENTINEL DEBUG [option value ...]`, the sentinel's
	// timers (info-period, ping-period, ...) set at run time.
	SentinelDebug = Feature{Name: "SENTINEL DEBUG", Redis: Version{7, 0, 0}}
	// EnableDebugCommand: the `enable-debug-command` setting, without which
	// Redis 7 refuses DEBUG (DEBUG SLEEP makes a slow node). Redis 6.2
	// has no such setting and always allows DEBUG.
	EnableDebugCommand = Feature{Name: "the enable-debug-command setting", Redis: Version{7, 0, 0}}
)

// Has tells whether s has f. An unknown server is taken to have nothing.
func (s Server) Has(f Feature) bool {
	switch s.Kind {
	case Redis:
		return !s.Version.Less(f.Redis)
	case Valkey:
		return !s.Version.Less(f.Valkey)
	}
	return false
}

// Require returns an *UnsupportedError when s lacks f.
func (s Server) Require(f Feature) error {
	if s.Has(f) {
		return nil
	}
	return &UnsupportedError{Feature: f, Server: s}
}

// UnsupportedError is a feature the lab's server lacks, said with the
// versions that have it: "SENTINEL DEBUG needs Redis >= 7.0 or Valkey;
// this lab runs Redis 6.2.16".
type UnsupportedError struct {
	Feature Feature
	Server  Server
}

func (e *UnsupportedError) Error() string {
	running := e.Server.String()
	if running == "" {
		running = "a server whose version is not known"
	}
	return fmt.Sprintf("%s needs %s; this lab runs %s", e.Feature.Name, e.Feature.Needs(), running)
}

// Needs says which servers have the feature: "Redis >= 7.0 or Valkey".
func (f Feature) Needs() string {
	valkey := "Valkey"
	if (f.Valkey != Version{}) {
		valkey = "Valkey >= " + short(f.Valkey)
	}
	return "Redis >= " + short(f.Redis) + " or " + valkey
}

// short drops a zero patch number: 7.0 rather than 7.0.0.
func short(v Version) string {
	if v.Patch == 0 {
		return fmt.Sprintf("%d.%d", v.Major, v.Minor)
	}
	return v.String()
}

// Describe says which server a set of nodes runs: "Redis 6.2.16", or, when
// the nodes differ (an image changed under a running lab), each server with
// its nodes: "Redis 6.2.16 (master, node-1); Redis 7.4.1 (node-2)". Nodes
// whose server is not known are left out.
func Describe(byNode map[string]Server, order []string) string {
	var kinds []Server
	nodes := map[Server][]string{}
	for _, n := range order {
		s, ok := byNode[n]
		if !ok || s.IsZero() {
			continue
		}
		if _, seen := nodes[s]; !seen {
			kinds = append(kinds, s)
		}
		nodes[s] = append(nodes[s], n)
	}
	switch len(kinds) {
	case 0:
		return ""
	case 1:
		return kinds[0].String()
	}
	parts := make([]string, len(kinds))
	for i, s := range kinds {
		parts[i] = fmt.Sprintf("%s (%s)", s, strings.Join(nodes[s], ", "))
	}
	return strings.Join(parts, "; ")
}
