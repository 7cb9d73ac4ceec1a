package failover

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/nodelog"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
	"github.com/sentinel-lab/sentinel-lab/internal/wait"
)

// Resync kinds, as the seed document tells them apart.
const (
	ResyncPartial = "partial"
	ResyncFull    = "full"
	ResyncNone    = "none"
	ResyncUnknown = "unknown"
)

// Revived is one node brought back.
type Revived struct {
	Service string `json:"service"`
	// Fault is what was undone: stopped, paused or cut off.
	Fault string `json:"fault"`
	// Role is what the node is once back: replica, or sentinel.
	Role string `json:"role"`
	// Master is the master it replicates (data nodes).
	Master string `json:"master,omitempty"`
	// Resync is partial, full, none (already in sync), or unknown.
	Resync string `json:"resync,omitempty"`
	// RejoinedMS is from the undo to the node replicating with its link up.
	RejoinedMS int64 `json:"rejoined_ms"`
}

// ReviveOptions tune revive.
type ReviveOptions struct {
	// Services to revive; empty means every faulted node.
	Services []string
	Timeout  time.Duration
}

// ReviveReport says what revive did.
type ReviveReport struct {
	Master  NodeRef   `json:"master"`
	Revived []Revived `json:"revived"`
}

// Revive undoes the faults of the lab's nodes (start, unpause, reconnect)
// and waits until each data node is a replica of the current master with
// its link up, and each sentinel agrees on the master again. It does not
// send REPLICAOF itself: the old master is turned into a replica by the
// sentinels, as the lab is there to show.
func Revive(ctx context.Context, env *lab.Env, l *lab.Lab, pr *probe.Prober, o ReviveOptions) (*ReviveReport, error) {
	containers, err := labContainers(ctx, env, l, ", so there is nothing to revive")
	if err != nil {
		return nil, err
	}
	faults := Faults(l, containers)
	if len(o.Services) > 0 {
		faults, err = selectFaults(l, faults, o.Services)
		if err != nil {
			return nil, err
		}
	}
	rep := &ReviveReport{Revived: []Revived{}}
	if len(faults) == 0 {
		return rep, nil
	}
	logsBefore := map[string]string{}
	for _, f := range faults {
		logsBefore[f.Service] = readLog(ctx, env, l, containers[f.Service].ID, f.Service)
	}
	start := time.Now()
	for _, f := range faults {
		if err := undo(ctx, env.Engine, l, f, containers[f.Service]); err != nil {
			return nil, fmt.Errorf("reviving %s: %w", f.Service, err)
		}
		env.Progress.Printf("%s: %s", f.Service, map[string]string{"stopped": "started", "paused": "unpaused", "cut off": "moved back to the lab network"}[f.Kind])
	}

	pending := map[string]Fault{}
	for _, f := range faults {
		pending[f.Service] = f
	}
	masterAddr := ""
	strategy := wait.Strategy{
		Clock: env.Clock, Interval: 100 * time.Millisecond, Timeout: o.Timeout,
		OnChange: func(_ time.Duration, c string) { env.Progress.Printf("waiting: %s", c) },
	}
	_, err = strategy.Until(ctx, func(ctx context.Context) (bool, string, error) {
		views := sentinelViews(ctx, pr, l)
		m, err := currentMaster(l, views, true)
		if err != nil {
			return false, "the sentinels do not name a master yet", nil
		}
		masterAddr = m.Addr.String()
		var waiting []string
		for service, f := range pending {
			n, _ := l.Topology.Node(service)
			ok, why := rejoined(ctx, pr, n, masterAddr, views)
			if !ok {
				waiting = append(waiting, why)
				continue
			}
			r := Revived{Service: service, Fault: f.Kind, RejoinedMS: time.Since(start).Milliseconds(), Role: "sentinel"}
			switch {
			case n.Service == m.Service:
				r.Role = "master"
			case !n.IsSentinel():
				r.Role, r.Master = "replica", m.Service
			}
			rep.Revived = append(rep.Revived, r)
			delete(pending, service)
			env.Progress.Printf("%s rejoined after %s", service, time.Duration(r.RejoinedMS)*time.Millisecond)
		}
		return len(pending) == 0, strings.Join(waiting, "; "), nil
	})
	var te *wait.TimeoutError
	if errors.As(err, &te) {
		return rep, fmt.Errorf("revived nodes did not rejoin within %s (--timeout): %s", te.After.Round(100*time.Millisecond), te.Last)
	}
	if err != nil {
		return rep, err
	}
	// With nothing left faulted, revive is done when the whole lab is
	// healthy again: sentinels that were down must also see each other.
	if containers, err := env.Containers(ctx, l); err == nil && len(Faults(l, containers)) == 0 {
		// One --timeout bounds the whole revive.
		strategy.Timeout = max(o.Timeout-time.Since(start), time.Second)
		_, err = strategy.Until(ctx, func(ctx context.Context) (bool, string, error) {
			h := probe.Evaluate(l.Topology, pr.Snapshot(ctx))
			return h.Healthy, h.Condition(), nil
		})
		if errors.As(err, &te) {
			return rep, fmt.Errorf("the lab is not healthy %s after revive (--timeout): %s", te.After.Round(100*time.Millisecond), te.Last)
		}
		if err != nil {
			return rep, err
		}
	}
	if m, ok := l.Topology.NodeAt(masterAddr); ok {
		rep.Master = NodeRef{m.Service, masterAddr}
	}
	for i, r := range rep.Revived {
		if r.Role != "replica" {
			continue
		}
		after := readLog(ctx, env, l, containers[r.Service].ID, r.Service)
		if after == "" {
			rep.Revived[i].Resync = ResyncUnknown
			continue
		}
		rep.Revived[i].Resync = ResyncKind(logsBefore[r.Service], after)
	}
	return rep, nil
}

// readLog reads a data node's log through the engine, or from its folder
// under data/ when the engine cannot (a paused container).
func readLog(ctx context.Context, env *lab.Env, l *lab.Lab, id, service string) string {
	if b, err := env.Engine.ReadFile(ctx, id, "/logs/redis.log"); err == nil {
		return string(b)
	}
	b, _ := os.ReadFile(filepath.Join(l.Dir.NodeLogs(service), "redis.log"))
	return string(b)
}

func selectFaults(l *lab.Lab, faults []Fault, services []string) ([]Fault, error) {
	var out []Fault
	for _, s := range services {
		if _, ok := l.Topology.Node(s); !ok {
			return nil, &RefusedError{Reason: fmt.Sprintf("%q is not a node of this lab; the nodes are %s", s, strings.Join(l.Topology.Services(), ", "))}
		}
		found := false
		for _, f := range faults {
			if f.Service == s {
				out, found = append(out, f), true
			}
		}
		if !found {
			return nil, &RefusedError{Reason: fmt.Sprintf("%s is running and connected; there is nothing to revive", s)}
		}
	}
	return out, nil
}

// rejoined tells whether a revived node is back in the lab: a data node
// replicating the master with its link up, a sentinel agreeing on it.
func rejoined(ctx context.Context, pr *probe.Prober, n topology.Node, masterAddr string, views []probe.SentinelView) (bool, string) {
	if n.IsSentinel() {
		for _, v := range views {
			if v.Service == n.Service {
				if v.Reachable && v.MasterAddr == masterAddr {
					return true, ""
				}
				return false, fmt.Sprintf("%s does not agree on the master yet", n.Service)
			}
		}
		return false, n.Service + " does not answer yet"
	}
	ni := pr.Node(ctx, n)
	if n.Addr.String() == masterAddr {
		// No failover happened while it was down: it is still the master.
		if ni.Reachable && ni.Role == "master" {
			return true, ""
		}
		return false, n.Service + ", still the master for the sentinels, does not answer as master yet"
	}
	switch {
	case !ni.Reachable:
		return false, n.Service + " does not answer yet"
	case ni.Role == "master":
		return false, n.Service + " still thinks it is a master (sentinel converts it after a few hello periods)"
	case ni.MasterAddr != masterAddr:
		return false, fmt.Sprintf("%s replicates %s, not the current master yet", n.Service, ni.MasterAddr)
	case ni.MasterLinkStatus != "up":
		return false, n.Service + " is syncing with the master"
	}
	// Back means back for the sentinels too: each answering one lists it
	// as a replica it is connected to, so it can be promoted again.
	for _, v := range views {
		if !v.Reachable {
			continue
		}
		seen := false
		for _, r := range v.Replicas {
			if r.Address == n.Addr.String() && !strings.Contains(r.Flags, "s_down") && !strings.Contains(r.Flags, "disconnected") {
				seen = true
			}
		}
		if !seen {
			return false, fmt.Sprintf("%s does not see %s as a healthy replica yet", v.Service, n.Service)
		}
	}
	return true, ""
}

// ResyncKind reads, from a replica's log before and after it rejoined,
// how it caught up with its master (the seed's two kinds), as
// nodelog.LastResync reads Redis's and Valkey's wordings.
func ResyncKind(before, after string) string {
	added := after
	if strings.HasPrefix(after, before) {
		added = after[len(before):]
	}
	switch nodelog.LastResync(added) {
	case nodelog.SyncPartial:
		return ResyncPartial
	case nodelog.SyncFull:
		return ResyncFull
	}
	return ResyncNone
}
