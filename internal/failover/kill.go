package failover

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/progress"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// Options tune kill-master.
type Options struct {
	Mode Mode
	// Timeout bounds the wait for the failover to converge.
	Timeout time.Duration
	// Force faults the master even when the sentinels that answer cannot
	// elect a leader.
	Force bool
	Lang  Lang
	// Poll is the interval of the sentinel and INFO polls (default 20ms).
	Poll     time.Duration
	Progress *progress.Printer
	// Workload, when set, runs client traffic from before the fault until
	// the lab converged (kill-master --load).
	Workload Workload
}

// Workload is client traffic around a fault.
type Workload interface {
	// Start begins the traffic; it runs until Stop.
	Start(ctx context.Context) error
	// Faulted is called once the fault took effect.
	Faulted(ctx context.Context, f FaultInfo) error
	// Stop ends the traffic once the lab converged on newMaster, and
	// returns what the client saw, measured from faultAt.
	Stop(ctx context.Context, faultAt time.Time, r *Report) (any, error)
}

// FaultInfo describes a fault that took effect.
type FaultInfo struct {
	Mode      Mode
	OldMaster topology.Node
	// IsolatedAddr is where the host still reaches a disconnected old
	// master ("ip:port" on its network of its own), "" for other modes.
	IsolatedAddr string
}

// RefusedError is a kill-master that would not lead to a failover.
type RefusedError struct{ Reason string }

func (e *RefusedError) Error() string { return e.Reason }

// NoFailoverError says what each sentinel last reported when no failover
// happened in time, and why.
type NoFailoverError struct {
	After     time.Duration
	Sentinels []probe.SentinelView
	Reasons   []string
}

func (e *NoFailoverError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "no failover after %s (--timeout).", e.After.Round(100*time.Millisecond))
	for _, r := range e.Reasons {
		fmt.Fprintf(&b, "\n  why: %s", r)
	}
	for _, v := range e.Sentinels {
		if !v.Reachable {
			fmt.Fprintf(&b, "\n  %s: does not answer (%s)", v.Service, v.Error)
			continue
		}
		fmt.Fprintf(&b, "\n  %s: master %s flags %s, epoch %d, CKQUORUM %s", v.Service, v.MasterAddr, v.Flags, v.ConfigEpoch, v.QuorumReply)
	}
	return b.String()
}

// KillMaster asks the sentinels who the master is, faults it, and records
// the failover until the lab converged on a new master.
func KillMaster(ctx context.Context, env *lab.Env, l *lab.Lab, pr *probe.Prober, o Options) (*Report, error) {
	if o.Poll <= 0 {
		o.Poll = 20 * time.Millisecond
	}
	containers, err := labContainers(ctx, env, l, "")
	if err != nil {
		return nil, err
	}
	before := sentinelViews(ctx, pr, l)
	names := namesOf(l, before)
	old, err := currentMaster(l, before, o.Force)
	if err != nil {
		return nil, err
	}
	c, ok := containers[old.Service]
	if !ok || c.State != engine.StateRunning {
		state := "missing"
		if ok {
			state = c.State
		}
		return nil, &RefusedError{Reason: fmt.Sprintf("the master %s is already down (container %s); bring it back with `sentinel-lab revive` first", old.Service, state)}
	}
	if _, on := c.Addresses[l.NetworkName()]; !on {
		return nil, &RefusedError{Reason: fmt.Sprintf("the master %s is already cut off from the lab network; `sentinel-lab revive` reconnects it", old.Service)}
	}

	// Logs of the replicas that will follow the new master, to tell later
	// whether they caught up with a partial or a full resync.
	logsBefore := map[string]string{}
	for _, n := range l.Topology.DataNodes() {
		if rc, ok := containers[n.Service]; ok && n != old {
			logsBefore[n.Service] = readLog(ctx, env, l, rc.ID, n.Service)
		}
	}

	rec := NewRecorder()
	defer rec.Close()
	var watched []topology.Node
	for _, v := range before {
		if !v.Reachable {
			continue
		}
		n, _ := l.Topology.Node(v.Service)
		if err := rec.Subscribe(ctx, pr.SentinelClient(v.Address), n); err != nil {
			return nil, err
		}
		watched = append(watched, n)
	}
	if o.Workload != nil {
		if err := o.Workload.Start(ctx); err != nil {
			return nil, err
		}
		// Whatever happens next, the client stops with kill-master; Stop
		// does nothing once it has run.
		defer o.Workload.Stop(context.Background(), time.Now(), &Report{})
	}
	if err := prepare(ctx, env.Engine, l, old, o.Mode); err != nil {
		return nil, err
	}
	o.Progress.Printf("faulting the master %s (%s) with %s; sentinels watched: %d", old.Service, old.Addr, o.Mode, len(watched))
	// Times count from the fault request: a SIGKILL lands at once, while
	// the engine call returns only after the daemon has cleaned up.
	t0 := time.Now()
	if err := inject(ctx, env.Engine, l, old, c, o.Mode); err != nil {
		unprepare(env.Engine, l, old, o.Mode)
		return nil, err
	}
	faultCall := time.Since(t0)
	if o.Workload != nil {
		info := FaultInfo{Mode: o.Mode, OldMaster: old}
		if o.Mode == Disconnect {
			info.IsolatedAddr = isolatedAddr(ctx, env, l, old)
		}
		if err := o.Workload.Faulted(ctx, info); err != nil {
			return nil, err
		}
	}

	r := &Report{
		Lab: l.Config.Name, MasterName: l.Config.MasterName, Mode: o.Mode,
		OldMaster:   NodeRef{old.Service, old.Addr.String()},
		DownAfterMS: l.Config.DownAfterMS(), FaultAt: t0, FaultCallMS: faultCall.Milliseconds(),
	}
	r.Nodes, r.Sentinels = labRefs(l, before)
	w := &watcher{l: l, pr: pr, rec: rec, old: old, sentinels: watched, t0: t0, poll: o.Poll, progress: o.Progress}
	if err := w.run(ctx, o.Timeout); err != nil {
		var nf *NoFailoverError
		if errors.As(err, &nf) {
			nf.Sentinels = sentinelViews(ctx, pr, l)
			nf.Reasons = whyNoFailover(l, nf.Sentinels, rec.Events(t0))
		}
		return nil, err
	}
	newMaster, _ := l.Topology.NodeAt(w.newAddr)
	r.NewMaster = NodeRef{newMaster.Service, w.newAddr}
	r.Server = pr.Server(w.newAddr).String() // learnt while watching it
	r.FailoverMS, r.AgreedMS, r.PromotedMS, r.ReplicasLinkedMS = w.firstMS, w.agreedMS, w.promotedMS, w.linkedMS
	r.FirstSentinel = w.firstSentinel
	r.ConvergedMS = max(w.firstMS, w.agreedMS, w.promotedMS, w.linkedMS)
	r.Lost = w.lostNames()
	for _, n := range l.Topology.DataNodes() {
		before, ok := logsBefore[n.Service]
		if !ok || n.Service == newMaster.Service {
			continue
		}
		after := readLog(ctx, env, l, containers[n.Service].ID, n.Service)
		r.Resyncs = append(r.Resyncs, ReplicaResync{Service: n.Service, Resync: ResyncKind(before, after)})
	}

	if o.Workload != nil {
		// A failed check of the client's writes does not undo the failover:
		// the report keeps it, and says what could not be counted.
		load, err := o.Workload.Stop(ctx, t0, r)
		r.Load = load
		if err != nil {
			r.LoadError = err.Error()
		}
	}
	r.Events = rec.Events(t0)
	sortEvents(r.Events)
	for i := range r.Events {
		r.Events[i].Explanation = Explain(r.Events[i], names, o.Lang)
	}
	r.Leader, r.Epoch = findLeader(r.Events, names)
	for _, n := range watched {
		if n.Service != r.Leader {
			r.Followers = append(r.Followers, n.Service)
		}
	}
	return r, nil
}

// isolatedAddr is the disconnected node's address on its network of its
// own, where a client on its side of the partition reaches it.
func isolatedAddr(ctx context.Context, env *lab.Env, l *lab.Lab, n topology.Node) string {
	containers, err := env.Containers(ctx, l)
	if err != nil {
		return ""
	}
	ip, ok := containers[n.Service].Addresses[isolatedNetwork(l, n.Service)]
	if !ok || !ip.IsValid() {
		return ""
	}
	return fmt.Sprintf("%s:%d", ip, n.Addr.Port())
}

// labContainers checks the engine answers and lists the lab's containers,
// refusing a lab that is not running; why says what that means for the
// command ("so there is nothing to revive").
func labContainers(ctx context.Context, env *lab.Env, l *lab.Lab, why string) (map[string]engine.Container, error) {
	if _, err := env.Engine.Ping(ctx); err != nil {
		return nil, err
	}
	containers, err := env.Containers(ctx, l)
	if err != nil {
		return nil, err
	}
	if len(containers) == 0 {
		return nil, &RefusedError{Reason: fmt.Sprintf("lab %q is not running%s; start it with `sentinel-lab up`", l.Config.Name, why)}
	}
	return containers, nil
}

// sentinelViews asks every sentinel what it thinks, at once.
func sentinelViews(ctx context.Context, pr *probe.Prober, l *lab.Lab) []probe.SentinelView {
	ss := l.Topology.Sentinels()
	out := make([]probe.SentinelView, len(ss))
	var wg sync.WaitGroup
	for i, n := range ss {
		wg.Go(func() { out[i] = pr.Sentinel(ctx, n) })
	}
	wg.Wait()
	return out
}

func namesOf(l *lab.Lab, views []probe.SentinelView) Names {
	n := Names{ByAddr: map[string]string{}, ByID: map[string]string{}}
	for _, node := range l.Topology.Nodes {
		n.ByAddr[node.Addr.String()] = node.Service
	}
	for _, v := range views {
		if v.MyID != "" {
			n.ByID[v.MyID] = v.Service
		}
	}
	return n
}

// currentMaster is the node a majority of the answering sentinels name. It
// refuses when too few sentinels answer to elect a failover leader.
func currentMaster(l *lab.Lab, views []probe.SentinelView, force bool) (topology.Node, error) {
	total := len(views)
	majority := total/2 + 1
	votes := map[string]int{}
	answering := 0
	for _, v := range views {
		if v.Reachable {
			answering++
			votes[v.MasterAddr]++
		}
	}
	if answering == 0 {
		return topology.Node{}, &RefusedError{Reason: fmt.Sprintf("none of the %d sentinels answers, so nobody can say who the master is or fail it over; `sentinel-lab revive` or `sentinel-lab up` first", total)}
	}
	if answering < majority && !force {
		return topology.Node{}, &RefusedError{Reason: fmt.Sprintf(
			"only %d of %d sentinels answer; electing a failover leader needs a majority (%d), so killing the master would leave the lab without one; revive the sentinels first (`sentinel-lab revive`), or pass --force to try anyway",
			answering, total, majority)}
	}
	best, n := "", 0
	for addr, c := range votes {
		if c > n || (c == n && addr < best) {
			best, n = addr, c
		}
	}
	node, ok := l.Topology.NodeAt(best)
	if !ok || node.IsSentinel() {
		return topology.Node{}, fmt.Errorf("the sentinels name %s as master, which is not a data node of this lab", best)
	}
	return node, nil
}

// watcher polls the sentinels and nodes after the fault and notes when each
// part of the new state first holds.
type watcher struct {
	l         *lab.Lab
	pr        *probe.Prober
	rec       *Recorder
	old       topology.Node
	sentinels []topology.Node
	t0        time.Time
	poll      time.Duration
	progress  *progress.Printer

	newAddr, firstSentinel                  string
	candidates                              map[string]*candidate
	firstMS, agreedMS, promotedMS, linkedMS int64
	silentSince                             map[string]time.Time
	lost                                    map[string]bool
}

func (w *watcher) run(ctx context.Context, timeout time.Duration) error {
	w.firstMS, w.agreedMS, w.promotedMS, w.linkedMS = -1, -1, -1, -1
	w.silentSince, w.lost, w.candidates = map[string]time.Time{}, map[string]bool{}, map[string]*candidate{}
	deadline := w.t0.Add(timeout)
	var convergedAt time.Time
	for {
		w.round(ctx)
		converged := w.firstMS >= 0 && w.agreedMS >= 0 && w.promotedMS >= 0 && w.linkedMS >= 0
		if converged && convergedAt.IsZero() {
			convergedAt = time.Now()
			w.progress.Printf("converged on %s after %s", w.service(w.newAddr), time.Since(w.t0).Round(time.Millisecond))
		}
		// Once converged, keep recording until the leader closes the
		// failover, so the timeline holds the whole story.
		if converged && (w.leaderDone() || time.Since(convergedAt) > 3*time.Second) {
			return nil
		}
		if time.Now().After(deadline) {
			return &NoFailoverError{After: time.Since(w.t0)}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(w.poll):
		}
	}
}

func (w *watcher) service(addr string) string {
	if n, ok := w.l.Topology.NodeAt(addr); ok {
		return n.Service
	}
	return addr
}

// leaderDone tells whether the sentinel that led published +failover-end.
func (w *watcher) leaderDone() bool {
	for _, n := range w.sentinels {
		if w.rec.Seen(n.Service, "+elected-leader") {
			return w.rec.Seen(n.Service, "+failover-end")
		}
	}
	return false
}

func (w *watcher) elapsed() int64 { return time.Since(w.t0).Milliseconds() }

// round asks every watched sentinel where the master is, then the new
// master and the other replicas how they replicate.
func (w *watcher) round(ctx context.Context) {
	answers := make([]string, len(w.sentinels))
	errs := make([]error, len(w.sentinels))
	var wg sync.WaitGroup
	for i, n := range w.sentinels {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
			defer cancel()
			a, err := w.pr.SentinelClient(n.Addr.String()).GetMasterAddrByName(cctx, w.l.Config.MasterName).Result()
			if err == nil && len(a) == 2 {
				answers[i] = a[0] + ":" + a[1]
			}
			errs[i] = err
		})
	}
	wg.Wait()
	now := w.elapsed()
	named := map[string]int{} // address -> sentinels naming it now
	answered := 0
	for i, n := range w.sentinels {
		if errs[i] != nil {
			if _, ok := w.silentSince[n.Service]; !ok {
				w.silentSince[n.Service] = time.Now()
			}
			if time.Since(w.silentSince[n.Service]) > time.Second && !w.lost[n.Service] {
				w.lost[n.Service] = true
				w.progress.Printf("%s stopped answering", n.Service)
			}
			continue
		}
		delete(w.silentSince, n.Service)
		answered++
		a := answers[i]
		named[a]++
		if a == w.old.Addr.String() {
			continue
		}
		if _, seen := w.candidates[a]; !seen {
			w.candidates[a] = &candidate{firstMS: now, firstSentinel: n.Service, promotedMS: -1, linkedMS: -1}
			w.progress.Printf("%s reports the new master %s", n.Service, w.service(a))
		}
	}
	// Agreed: every answering sentinel, a majority at least, names the same
	// new master. Should they later agree on another (a second failover),
	// that one is the new master.
	majority := len(w.l.Topology.Sentinels())/2 + 1
	for a, count := range named {
		if a != w.old.Addr.String() && count == answered && answered >= majority && a != w.newAddr {
			w.newAddr, w.agreedMS = a, now
			w.progress.Printf("all %d answering sentinels agree on %s", answered, w.service(a))
		}
	}
	// Each new master named, even before the sentinels agree on it, is
	// watched for its promotion and for the replicas following it.
	for a, c := range w.candidates {
		if c.promotedMS < 0 {
			if ni := w.pr.Node(ctx, w.node(a)); ni.Reachable && ni.Role == "master" {
				c.promotedMS = w.elapsed()
				w.progress.Printf("%s answers role:master", w.service(a))
			}
		}
		if c.linkedMS < 0 && w.replicasLinked(ctx, a) {
			c.linkedMS = w.elapsed()
			w.progress.Printf("remaining replicas replicate %s", w.service(a))
		}
	}
	if c, ok := w.candidates[w.newAddr]; ok {
		w.firstMS, w.firstSentinel, w.promotedMS, w.linkedMS = c.firstMS, c.firstSentinel, c.promotedMS, c.linkedMS
	}
}

// candidate is an address a sentinel named as the new master.
type candidate struct {
	firstMS              int64
	firstSentinel        string
	promotedMS, linkedMS int64
}

func (w *watcher) node(addr string) topology.Node {
	n, _ := w.l.Topology.NodeAt(addr)
	return n
}

// replicasLinked tells whether every reachable data node other than the old
// master and newAddr replicates newAddr with its link up.
func (w *watcher) replicasLinked(ctx context.Context, newAddr string) bool {
	for _, n := range w.l.Topology.DataNodes() {
		if n.Addr == w.old.Addr || n.Addr.String() == newAddr {
			continue
		}
		ni := w.pr.Node(ctx, n)
		if !ni.Reachable {
			continue // a node that was already down cannot follow anyone
		}
		if ni.Role != "replica" || ni.MasterAddr != newAddr || ni.MasterLinkStatus != "up" {
			return false
		}
	}
	return true
}

func (w *watcher) lostNames() []string {
	var out []string
	for s := range w.lost {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// whyNoFailover explains, from what the sentinels last said and the events
// they published, why no failover happened.
func whyNoFailover(l *lab.Lab, views []probe.SentinelView, events []Event) []string {
	total := len(views)
	majority := total/2 + 1
	quorum := l.Config.Quorum
	answering := 0
	for _, v := range views {
		if v.Reachable {
			answering++
		}
	}
	seen := map[string]bool{}
	for _, e := range events {
		seen[e.Type] = true
	}
	var why []string
	if answering < quorum {
		why = append(why, fmt.Sprintf("only %d of %d sentinels answer; quorum %d needs %d of them to agree the master is down", answering, total, quorum, quorum))
	}
	if answering < majority {
		why = append(why, fmt.Sprintf("%d of %d sentinels answer; a failover needs a majority (%d) to elect a leader", answering, total, majority))
	}
	if !seen["+odown"] && answering >= quorum {
		why = append(why, "no sentinel saw the master objectively down (+odown)")
	}
	if seen["-failover-abort-no-good-slave"] {
		why = append(why, "no replica was fit to promote (-failover-abort-no-good-slave): are the replicas up and linked?")
	}
	if seen["+tilt"] {
		why = append(why, "a sentinel entered TILT mode and stops acting for 30s")
	}
	if len(why) == 0 {
		why = append(why, "the sentinels did not finish a failover in time; see their logs (data/sentinel-*/logs)")
	}
	return why
}

// SaveReport keeps the report with the lab, for `sentinel-lab report`.
func SaveReport(dir labdir.Dir, r *Report) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir.StateDir(), 0o700); err != nil {
		return err
	}
	return labdir.WriteFileAtomic(LastReportPath(dir), append(b, '\n'), 0o600)
}

// LastReportPath is where the last failover's report is kept.
func LastReportPath(dir labdir.Dir) string {
	return dir.Path(labdir.StateDirName, "last-failover.json")
}
