package tour

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/nodelog"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
	"github.com/sentinel-lab/sentinel-lab/internal/wait"
)

// logs reads the log files of some nodes from a point on: a reader whose
// first Read only moves past what was already written.
type logs struct {
	s       *lab.Session
	reader  *nodelog.Reader
	targets []nodelog.Target
	// lines are what each node wrote since mark, by service.
	lines map[string][]nodelog.Line
	// upTo, when set, is how many of each node's lines replLines and
	// first look at: those read before a later step (revive) began.
	upTo map[string]int
}

// hold keeps replLines and first to the lines read so far.
func (l *logs) hold() {
	l.upTo = map[string]int{}
	for svc, lines := range l.lines {
		l.upTo[svc] = len(lines)
	}
}

// held are the lines of service replLines and first look at.
func (l *logs) held(service string) []nodelog.Line {
	lines := l.lines[service]
	if n, ok := l.upTo[service]; ok && n < len(lines) {
		return lines[:n]
	}
	if l.upTo != nil && !mapHas(l.upTo, service) {
		return nil
	}
	return lines
}

func mapHas(m map[string]int, k string) bool {
	_, ok := m[k]
	return ok
}

// markLogs starts reading the nodes' logs from their current end.
func markLogs(ctx context.Context, s *lab.Session, nodes ...topology.Node) (*logs, error) {
	cs, err := s.Containers(ctx)
	if err != nil {
		return nil, err
	}
	ids := map[string]string{}
	for svc, c := range cs {
		ids[svc] = c.ID
	}
	l := &logs{s: s, reader: nodelog.NewReader(s.Engine), targets: nodelog.Targets(s.Lab.Dir, nodes, ids), lines: map[string][]nodelog.Line{}}
	if _, err := l.reader.Read(ctx, l.targets); err != nil {
		return nil, fmt.Errorf("reading the logs: %w", err)
	}
	return l, nil
}

// read adds what the nodes wrote since the last read; only log file lines,
// not the containers' output.
func (l *logs) read(ctx context.Context) {
	lists, _ := l.reader.Read(ctx, l.targets)
	for i, list := range lists {
		for _, line := range list {
			if !line.Output {
				l.lines[l.targets[i].Service] = append(l.lines[l.targets[i].Service], line)
			}
		}
	}
}

// has tells whether service logged a replication line of kind.
func (l *logs) has(service string, kind nodelog.SyncKind) bool {
	for _, line := range l.lines[service] {
		if r, ok := nodelog.ParseRepl(line.Text); ok && r.Kind == kind {
			return true
		}
	}
	return false
}

// replLines are the replication lines of the given nodes, by time; role
// says what each node was while it wrote them. The attempts a replica
// repeats every second while its master is gone are shown once.
func (l *logs) replLines(roles map[string]string, services ...string) []LogLine {
	var lists [][]nodelog.Line
	for _, svc := range services {
		var keep []nodelog.Line
		seen := map[string]bool{}
		target := "" // the master the replica is trying to reach
		for _, line := range l.held(svc) {
			r, ok := nodelog.ParseRepl(line.Text)
			if !ok {
				continue
			}
			if r.Kind == nodelog.SyncConnecting || r.Kind == nodelog.SyncReplicaOf {
				target = r.Detail
			}
			if retried(r.Kind) {
				key := string(r.Kind) + " " + r.Detail + " " + target
				if seen[key] {
					continue
				}
				seen[key] = true
			}
			keep = append(keep, line)
		}
		lists = append(lists, keep)
	}
	var out []LogLine
	for _, line := range nodelog.Merge(lists...) {
		out = append(out, LogLine{Node: line.Service, Line: line.Text, Role: roles[line.Service], Time: line.Time})
	}
	return out
}

// retried tells the steps a replica logs again at each attempt to reach
// a master that is gone.
func retried(k nodelog.SyncKind) bool {
	switch k {
	case nodelog.SyncConnecting, nodelog.SyncStarted, nodelog.SyncSocketError, nodelog.SyncConnectFired, nodelog.SyncPinged:
		return true
	}
	return false
}

// first finds the first replication line of kind service logged.
func (l *logs) first(service string, kind nodelog.SyncKind) (nodelog.Repl, bool) {
	for _, line := range l.held(service) {
		if r, ok := nodelog.ParseRepl(line.Text); ok && r.Kind == kind {
			return r, true
		}
	}
	return nodelog.Repl{}, false
}

// waitFor reads the logs until done holds.
func (l *logs) waitFor(ctx context.Context, timeout time.Duration, what string, done func() (bool, string)) error {
	_, err := wait.Strategy{Clock: l.s.Time(), Interval: 100 * time.Millisecond, Timeout: timeout}.Until(ctx,
		func(ctx context.Context) (bool, string, error) {
			l.read(ctx)
			ok, why := done()
			return ok, why, nil
		})
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// config reads settings of a data node (CONFIG GET), as fields.
func config(ctx context.Context, nodes probe.Nodes, n topology.Node, names ...string) []Field {
	var out []Field
	for _, name := range names {
		reply, err := nodes.Do(ctx, n, "config", "get", name)
		if err != nil {
			continue
		}
		if kv, ok := reply.([]any); ok && len(kv) == 2 {
			out = append(out, Field{Node: n.Service, Name: name, Value: fmt.Sprint(kv[1])})
		}
	}
	return out
}

// sentinelSettings reads a sentinel's settings for the lab's master
// (SENTINEL MASTER), as fields.
func sentinelSettings(ctx context.Context, nodes probe.Nodes, n topology.Node, master string, names ...string) []Field {
	reply, err := nodes.Do(ctx, n, "sentinel", "master", master)
	if err != nil {
		return nil
	}
	kv, _ := reply.([]any)
	got := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		got[fmt.Sprint(kv[i])] = fmt.Sprint(kv[i+1])
	}
	var out []Field
	for _, name := range names {
		if v, ok := got[name]; ok {
			out = append(out, Field{Node: n.Service, Name: name, Value: v})
		}
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
