package failover

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/fault"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/load"
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
	// Fault is what was undone: stopped, paused, cut off, packet filter,
	// delayed, sleeping or armed (several joined by ", ").
	Fault string `json:"fault"`
	// Role is what the node is once back: replica, master (no failover
	// happened while it was away) or sentinel.
	Role topology.Role `json:"role"`
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
	// SplitBrain, when set, is what a partitioned old master acknowledged
	// while cut off: once it rejoins, revive counts what it dropped.
	SplitBrain *SplitBrain
}

// ReviveReport says what revive did.
type ReviveReport struct {
	Master  NodeRef   `json:"master"`
	Revived []Revived `json:"revived"`
	// SplitBrain is what the rejoined old master dropped of the writes it
	// acknowledged while cut off.
	SplitBrain *load.Dropped `json:"split_brain,omitempty"`
}

// Revive undoes the faults of the lab's nodes (start, unpause, reconnect)
// and waits until each data node is a replica of the current master with
// its link up, and each sentinel agrees on the master again. It does not
// send REPLICAOF itself: the old master is turned into a replica by the
// sentinels, as the lab is there to show.
func Revive(ctx context.Context, s *lab.Session, o ReviveOptions) (*ReviveReport, error) {
	containers, err := labContainers(ctx, s, ", so there is nothing to revive")
	if err != nil {
		return nil, err
	}
	if err := fault.Prune(s.Lab, containers, s.Now()); err != nil {
		return nil, err
	}
	faults, err := reviveFaults(s.Lab, containers, s.Snapshot(ctx), s.Now())
	if err != nil {
		return nil, err
	}
	if len(o.Services) > 0 {
		if faults, err = selectFaults(s.Lab, faults, o.Services); err != nil {
			return nil, err
		}
	}
	rep := &ReviveReport{Revived: []Revived{}}
	if len(faults) == 0 {
		return rep, nothingToRevive(ctx, s, o.Timeout, rep)
	}
	logsBefore := map[string]string{}
	for _, f := range faults {
		logsBefore[f.Service] = readLog(ctx, s, f.Service, containers[f.Service].ID)
	}
	start := s.Now()
	for _, f := range faults {
		if err := undoFault(ctx, s, f, containers[f.Service]); err != nil {
			return nil, fmt.Errorf("reviving %s: %w", f.Service, err)
		}
		s.Progress.Printf("%s: %s", f.Service, undoneText(f.Kind))
	}
	master, err := waitRejoined(ctx, s, faults, start, o.Timeout, rep)
	if err != nil {
		return rep, err
	}
	if err := waitHealthy(ctx, s, started(faults), max(o.Timeout-s.Now().Sub(start), time.Second)); err != nil {
		return rep, err
	}
	rep.Master = master.Ref()
	for i, r := range rep.Revived {
		if r.Role == topology.Replica {
			rep.Revived[i].Resync = resyncSince(logsBefore[r.Service], readLog(ctx, s, r.Service, containers[r.Service].ID))
		}
	}
	rep.SplitBrain, err = countDropped(ctx, s, o.SplitBrain, rep)
	return rep, err
}

// waitRejoined waits until every revived node is back in the lab, noting
// each in rep as it rejoins, and returns the master the sentinels name.
func waitRejoined(ctx context.Context, s *lab.Session, faults []fault.Fault, start time.Time, timeout time.Duration, rep *ReviveReport) (topology.Node, error) {
	pending := map[string]string{} // service -> what was undone
	for _, f := range faults {
		if pending[f.Service] != "" {
			pending[f.Service] += ", "
		}
		pending[f.Service] += string(f.Kind)
	}
	var master topology.Node
	_, err := reviveWait(s, timeout).Until(ctx, func(ctx context.Context) (bool, string, error) {
		if err := exitedAfterRevive(ctx, s, started(faults)); err != nil {
			return false, "", err
		}
		// A revived sentinel restarted without the lab's periods: it
		// gets them as soon as it answers.
		if _, err := s.EnsureTimers(ctx); err != nil {
			return false, "", err
		}
		views := probe.SentinelViews(ctx, s.Nodes(), s.Lab.Topology)
		m, err := CurrentMaster(s.Lab.Topology, views, true)
		if err != nil {
			return false, "the sentinels do not name a master yet", nil
		}
		master = m
		var waiting []string
		for _, service := range slices.Sorted(maps.Keys(pending)) {
			n, _ := s.Lab.Topology.Node(service)
			if ok, why := rejoined(ctx, s.Nodes(), n, m.Addr.String(), views); !ok {
				waiting = append(waiting, why)
				continue
			}
			r := Revived{Service: service, Fault: pending[service], RejoinedMS: s.Now().Sub(start).Milliseconds(), Role: n.Role}
			switch {
			case n.Service == m.Service:
				r.Role = topology.Master
			case !n.IsSentinel():
				r.Role, r.Master = topology.Replica, m.Service
			}
			rep.Revived = append(rep.Revived, r)
			delete(pending, service)
			s.Progress.Printf("%s rejoined after %s", service, time.Duration(r.RejoinedMS)*time.Millisecond)
		}
		return len(pending) == 0, strings.Join(waiting, "; "), nil
	})
	var te *wait.TimeoutError
	if errors.As(err, &te) {
		return master, fmt.Errorf("revived nodes did not rejoin within %s (--timeout): %s", te.After.Round(100*time.Millisecond), te.Last)
	}
	return master, err
}

// waitHealthy waits, once nothing is left faulted, until the whole lab is
// healthy again: sentinels that were down must also see each other.
func waitHealthy(ctx context.Context, s *lab.Session, revived []string, timeout time.Duration) error {
	containers, err := s.Containers(ctx)
	if err != nil {
		return nil
	}
	left, err := fault.List(s.Lab, containers, s.Now())
	if err != nil || len(left)+len(missingFaults(s.Lab, containers)) > 0 {
		return nil // only some nodes were revived: the lab is not whole yet
	}
	_, err = reviveWait(s, timeout).Until(ctx, func(ctx context.Context) (bool, string, error) {
		if err := exitedAfterRevive(ctx, s, revived); err != nil {
			return false, "", err
		}
		if _, err := s.EnsureTimers(ctx); err != nil {
			return false, "", err
		}
		h := probe.Evaluate(s.Lab.Topology, s.Snapshot(ctx))
		return h.Healthy, h.Condition(), nil
	})
	var te *wait.TimeoutError
	if errors.As(err, &te) {
		return fmt.Errorf("the lab is not healthy %s after revive (--timeout): %s", te.After.Round(100*time.Millisecond), te.Last)
	}
	return err
}

func reviveWait(s *lab.Session, timeout time.Duration) wait.Strategy {
	return wait.Strategy{
		Clock: s.Time(), Interval: 100 * time.Millisecond, Timeout: timeout,
		OnChange: func(_ time.Duration, c string) { s.Progress.Printf("waiting: %s", c) },
	}
}

// countDropped counts, once a partitioned old master rejoined, which of
// the writes it acknowledged while cut off the lab no longer has.
func countDropped(ctx context.Context, s *lab.Session, sb *SplitBrain, rep *ReviveReport) (*load.Dropped, error) {
	if sb == nil || sb.Writes == nil || sb.Writes.Acked == 0 {
		return nil, nil
	}
	for _, r := range rep.Revived {
		if r.Service == sb.OldMaster && strings.Contains(r.Fault, string(fault.CutOff)) {
			return load.CountDropped(ctx, s.Nodes(), rep.Master.Address, sb.OldMaster, sb.Writes)
		}
	}
	return nil, nil
}

// readLog reads a data node's log through the engine, or from its folder
// under data/ when the engine cannot (a paused container).
func readLog(ctx context.Context, s *lab.Session, service, containerID string) string {
	n, _ := s.Lab.Topology.Node(service)
	if b, err := s.Engine.ReadFile(ctx, containerID, n.LogFile()); err == nil {
		return string(b)
	}
	b, _ := os.ReadFile(filepath.Join(s.Lab.Dir.NodeLogs(service), filepath.Base(n.LogFile())))
	return string(b)
}

// replicaLogs reads the logs of the data nodes that will follow the new
// master, to tell later how each caught up.
func replicaLogs(ctx context.Context, s *lab.Session, d *Discovery) map[string]string {
	out := map[string]string{}
	for _, n := range s.Lab.Topology.DataNodes() {
		if c, ok := d.Containers[n.Service]; ok && n != d.Master {
			out[n.Service] = readLog(ctx, s, n.Service, c.ID)
		}
	}
	return out
}

// resyncs says how each replica that was logged before the fault caught up
// with the new master.
func resyncs(ctx context.Context, s *lab.Session, d *Discovery, before map[string]string, newMaster NodeRef) []ReplicaResync {
	var out []ReplicaResync
	for _, n := range s.Lab.Topology.DataNodes() {
		b, ok := before[n.Service]
		if !ok || n.Service == newMaster.Service {
			continue
		}
		after := readLog(ctx, s, n.Service, d.Containers[n.Service].ID)
		out = append(out, ReplicaResync{Service: n.Service, Resync: ResyncKind(b, after)})
	}
	return out
}

// resyncSince is ResyncKind, unknown when the log could not be read.
func resyncSince(before, after string) string {
	if after == "" {
		return ResyncUnknown
	}
	return ResyncKind(before, after)
}

func selectFaults(l *lab.Lab, faults []fault.Fault, services []string) ([]fault.Fault, error) {
	var out []fault.Fault
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
func rejoined(ctx context.Context, nodes probe.Nodes, n topology.Node, masterAddr string, views []probe.SentinelView) (bool, string) {
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
	ni := nodes.Node(ctx, n)
	if n.Addr.String() == masterAddr {
		// No failover happened while it was down: it is still the master.
		if ni.Reachable && ni.Role == topology.Master {
			return true, ""
		}
		return false, n.Service + ", still the master for the sentinels, does not answer as master yet"
	}
	switch {
	case !ni.Reachable:
		return false, n.Service + " does not answer yet"
	case ni.Role == topology.Master:
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
