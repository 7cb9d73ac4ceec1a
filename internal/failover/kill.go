package failover

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/fault"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/load"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// Options tune kill-master.
type Options struct {
	// Fault is what is done to the master.
	Fault fault.Spec
	// Trigger, when set, starts the failover instead of a fault of the
	// master: SENTINEL FAILOVER, or faults of other nodes; Label then says
	// what it did, for the report.
	Trigger func(ctx context.Context, d *Discovery) error
	Label   string
	// During, when set, is called after every poll with the events so
	// far, to act in the middle of the failover (fault the replica the
	// leader selected); an error ends the watch.
	During func(ctx context.Context, events []Event) error
	// Timeout bounds the wait for the failover to converge.
	Timeout time.Duration
	// Force faults the master even when the sentinels that answer cannot
	// elect a leader, or when an earlier attempt holds them back.
	Force bool
	// WaitReady, with Force, still waits while an earlier attempt holds
	// the sentinels back: a scenario forces the rest, not the timing.
	WaitReady bool
	// Poll is the interval of the sentinel and INFO polls (default 20ms).
	Poll time.Duration
	// Workload, when set, runs client traffic from before the fault until
	// the lab converged (kill-master --load).
	Workload Workload
}

// Workload is client traffic around a fault; *load.Writer is one.
type Workload interface {
	// Start begins the traffic; it runs until Stop.
	Start(ctx context.Context) error
	// Faulted is called once the fault took effect, with the address where
	// a client on the isolated old master's side reaches it after a
	// partition ("" for other faults).
	Faulted(ctx context.Context, isolatedAddr string) error
	// Stop ends the traffic once the lab converged on newMaster (no
	// address: it did not) and returns what the client saw, measured from
	// faultAt. A second Stop does nothing and returns nil.
	Stop(ctx context.Context, faultAt time.Time, newMaster topology.NodeRef) (*load.Result, error)
}

// KillMaster asks the sentinels who the master is, faults it, and records
// the failover until the lab converged on a new master.
func KillMaster(ctx context.Context, s *lab.Session, o Options) (*Report, error) {
	if o.Poll <= 0 {
		o.Poll = 20 * time.Millisecond
	}
	// A sentinel restarted since the lab's periods were set runs the
	// defaults: set them again before the failover is timed.
	if _, err := s.EnsureTimers(ctx); err != nil {
		return nil, err
	}
	d, err := Discover(ctx, s, o.Force)
	if err != nil {
		return nil, err
	}
	if err := checkPromotable(ctx, s, d, o.Force); err != nil {
		return nil, err
	}
	held, err := awaitReady(ctx, s, o.Force && !o.WaitReady)
	if err != nil {
		return nil, err
	}
	// Logs of the replicas that will follow the new master, to tell later
	// whether they caught up with a partial or a full resync.
	logsBefore := replicaLogs(ctx, s, d)
	rec, watched, err := subscribe(ctx, s, d.Views)
	defer rec.Close()
	if err != nil {
		return nil, err
	}
	if o.Workload != nil {
		if err := o.Workload.Start(ctx); err != nil {
			return nil, err
		}
		// Whatever happens next, the client stops with kill-master.
		defer o.Workload.Stop(context.Background(), s.Now(), topology.NodeRef{})
	}
	t0, callMS, err := start(ctx, s, d, o, len(watched))
	if err != nil {
		return nil, err
	}
	tr := NewTracker(s.Lab.Topology, d.Master, t0)
	if err := watch(ctx, s, tr, rec, watched, o, t0); err != nil {
		var nf *NoFailoverError
		if errors.As(err, &nf) {
			nf.Sentinels = probe.SentinelViews(ctx, s.Nodes(), s.Lab.Topology)
			nf.Events = rec.Events(t0)
			nf.Reasons = whyNoFailover(s.Lab, nf.Sentinels, nf.Events)
			nf.OldMaster, nf.FaultAt, nf.Names = d.Master.Ref(), t0, d.Names(s.Lab.Topology)
		}
		return nil, err
	}
	r := newReport(s.Lab, d, o, t0, callMS, tr)
	r.HeldBack, r.Timers = held, s.Lab.Config.Timers
	if nm, ok := tr.NewMaster(); ok {
		r.Server = s.Nodes().Node(ctx, nm).Server.String()
	}
	r.Resyncs = resyncs(ctx, s, d, logsBefore, r.NewMaster)
	if o.Workload != nil {
		// A failed check of the client's writes does not undo the failover:
		// the report keeps it, and says what could not be counted.
		r.Load, err = o.Workload.Stop(ctx, t0, r.NewMaster)
		if err != nil {
			r.LoadError = err.Error()
		}
	}
	r.setEvents(rec.Events(t0), d.Names(s.Lab.Topology), watched)
	return r, nil
}

// subscribe records the events of every sentinel that answered; the
// recorder must be closed whatever the error.
func subscribe(ctx context.Context, s *lab.Session, views []probe.SentinelView) (*Recorder, []topology.Node, error) {
	rec := NewRecorder()
	var watched []topology.Node
	for _, v := range views {
		if !v.Reachable {
			continue
		}
		n, _ := s.Lab.Topology.Node(v.Service)
		sub, err := s.Nodes().Subscribe(ctx, n)
		if err != nil {
			return rec, nil, err
		}
		rec.Record(n.Service, sub)
		watched = append(watched, n)
	}
	return rec, watched, nil
}

// start applies the fault (or the trigger) and tells the workload. Times
// count from the fault request: a SIGKILL lands at once, while the engine
// call returns only after the daemon has cleaned up.
func start(ctx context.Context, s *lab.Session, d *Discovery, o Options, watched int) (time.Time, int64, error) {
	old := d.Master
	var in *fault.Injection
	if o.Trigger == nil {
		var err error
		if in, err = fault.Prepare(ctx, s, old, d.Containers[old.Service], o.Fault); err != nil {
			return time.Time{}, 0, err
		}
		s.Progress.Printf("faulting the master %s (%s) with %s; sentinels watched: %d", old.Service, old.Addr, o.Fault.Describe(), watched)
	} else {
		s.Progress.Printf("%s; the master is %s (%s); sentinels watched: %d", o.Label, old.Service, old.Addr, watched)
	}
	if err := MarkFault(s.Lab.Dir, FaultMark{At: s.Now(), Mode: o.Fault.Mode, Master: old.Service}); err != nil {
		if in != nil {
			in.Abandon()
		}
		return time.Time{}, 0, err
	}
	t0 := s.Now()
	if in == nil {
		if err := o.Trigger(ctx, d); err != nil {
			return time.Time{}, 0, err
		}
	} else if err := in.Inject(ctx); err != nil {
		in.Abandon()
		return time.Time{}, 0, err
	}
	callMS := s.Now().Sub(t0).Milliseconds()
	if o.Workload != nil {
		// "" unless the fault (or the trigger) cut the old master off.
		isolated := fault.IsolatedAddr(ctx, s, old)
		if err := o.Workload.Faulted(ctx, isolated); err != nil {
			return time.Time{}, 0, err
		}
	}
	return t0, callMS, nil
}

// NoFailoverError says what each sentinel last reported when no failover
// happened in time, and why; the events are what they published, timed
// from FaultAt, for a scenario that expected no failover.
type NoFailoverError struct {
	After     time.Duration
	Sentinels []probe.SentinelView
	Reasons   []string
	Events    []Event
	OldMaster NodeRef
	FaultAt   time.Time
	Names     Names
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

// whyNoFailover explains, from what the sentinels last said and the events
// they published, why no failover happened.
func whyNoFailover(l *lab.Lab, views []probe.SentinelView, events []Event) []string {
	vote := probe.MasterVote(views)
	total, answering, quorum := vote.Total, vote.Answering, l.Config.Quorum
	majority := config.Majority(total)
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
