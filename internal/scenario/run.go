package scenario

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/fault"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/load"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
	"github.com/sentinel-lab/sentinel-lab/internal/wait"
)

// Run applies sc to the healthy lab of s, whose timers are t, and returns
// what it observed. Failures of the scenario's own steps are observations
// (its checks fail on them); the error is for a lab that could not be
// looked at at all.
func Run(ctx context.Context, s *lab.Session, sc *Scenario, t Timers) (*Observation, error) {
	d, err := failover.Discover(ctx, s, true)
	if err != nil {
		return nil, err
	}
	r := &runner{s: s, sc: sc, t: t, d: d, fired: map[int]bool{}}
	r.obs = &Observation{Timers: t, OldMaster: d.Master, MaxLag: s.Lab.Config.MinReplicasMaxLag, Names: d.Names(s.Lab.Topology)}
	for _, v := range d.Views {
		r.obs.EpochBefore = max(r.obs.EpochBefore, v.ConfigEpoch)
	}
	r.obs.RunIDBefore = s.Nodes().Node(ctx, d.Master).RunID
	for _, re := range sc.During {
		r.obs.Reactions = append(r.obs.Reactions, strings.TrimSpace(re.On+" "+re.OnKind))
	}
	if r.steps(ctx, sc.Setup, nil) {
		r.watch(ctx)
	}
	r.after(ctx)
	return r.obs, nil
}

// runner is one run of a scenario.
type runner struct {
	s   *lab.Session
	sc  *Scenario
	t   Timers
	d   *failover.Discovery
	obs *Observation

	mu    sync.Mutex
	t0    time.Time
	at    []time.Time // when each of obs.Steps was taken
	fired map[int]bool
	lifts []lift
	// quorumSet: a step changed the sentinels' quorum.
	quorumSet bool
}

// lift is a fault given a duration, to undo when it is due.
type lift struct {
	due      time.Time
	services []string
}

// steps takes steps in order and tells whether all were carried out.
func (r *runner) steps(ctx context.Context, steps []Step, ev *failover.Event) bool {
	for _, st := range steps {
		if !r.do(ctx, st, ev) {
			return false
		}
	}
	return true
}

// watch triggers the scenario and follows the sentinels until the lab
// converged on a new master or, when none must come, the window closed.
func (r *runner) watch(ctx context.Context) {
	r.obs.Label = r.label()
	o := failover.Options{
		Force: true, WaitReady: true, Label: r.obs.Label, Timeout: failoverWindow(r.t),
		Trigger: func(ctx context.Context, _ *failover.Discovery) error {
			r.t0 = r.s.Now()
			if !r.steps(ctx, r.sc.Trigger, nil) {
				return errors.New("the scenario's trigger failed")
			}
			return nil
		},
		During: r.during,
	}
	if !r.sc.Failover {
		o.Timeout = r.sc.Window(r.t)
	}
	if r.sc.Load {
		o.Workload = load.NewWriter(r.s.Nodes(), r.s.Time(), load.Options{Rate: 100})
	}
	rep, err := failover.KillMaster(ctx, r.s, o)
	var nf *failover.NoFailoverError
	switch {
	case err == nil:
		r.obs.Failover, r.obs.Events, r.obs.Load = rep, rep.Events, rep.Load
		r.t0, r.obs.Names = rep.FaultAt, rep.Names()
	case errors.As(err, &nf):
		r.obs.NoFailover, r.obs.Events, r.t0 = nf, nf.Events, nf.FaultAt
	default:
		r.obs.WatchError = err
	}
}

// during acts on what the sentinels publish: a reaction once its event
// came, the undo of a fault whose time is up.
func (r *runner) during(ctx context.Context, events []failover.Event) error {
	r.mu.Lock()
	var due []lift
	now := r.s.Now()
	for i := 0; i < len(r.lifts); i++ {
		if !now.Before(r.lifts[i].due) {
			due = append(due, r.lifts[i])
			r.lifts = append(r.lifts[:i], r.lifts[i+1:]...)
			i--
		}
	}
	r.mu.Unlock()
	for _, l := range due {
		r.do(ctx, Step{Do: DoLift, Who: Who("services:" + strings.Join(l.services, ","))}, nil)
	}
	for i, re := range r.sc.During {
		if r.fired[i] {
			continue
		}
		for _, e := range events {
			if e.AtMS >= 0 && e.Type == re.On && (re.OnKind == "" || kindOf(e) == re.OnKind) {
				r.fired[i] = true
				r.do(ctx, re.Step, &e)
				break
			}
		}
	}
	return nil
}

func kindOf(e failover.Event) string {
	in, _ := failover.ParseInstance(e.Detail)
	return in.Kind
}

// after looks at the lab once the watch ended, and revives it when the
// scenario counts what rejoining costs.
func (r *runner) after(ctx context.Context) {
	s, o := r.s, r.obs
	o.Views = probe.SentinelViews(ctx, s.Nodes(), s.Lab.Topology)
	o.OldInfo = s.Nodes().Node(ctx, o.OldMaster)
	o.Containers = map[string]string{}
	if cs, err := s.Containers(ctx); err == nil {
		for svc, c := range cs {
			o.Containers[svc] = c.State
		}
	}
	if r.quorumSet {
		// Back to the lab's own, on every sentinel that answers.
		setQuorum(ctx, s, s.Lab.Topology.Sentinels(), s.Lab.Config.Quorum)
	}
	if r.sc.Revive && o.Failover != nil {
		rv, err := failover.Revive(ctx, s, failover.ReviveOptions{Timeout: 90 * time.Second, SplitBrain: o.Failover.PendingSplitBrain()})
		o.Revive = rv
		if err != nil {
			o.ReviveError = err.Error()
		}
	}
	for i := range o.Steps {
		if !r.t0.IsZero() {
			o.Steps[i].AtMS = r.at[i].Sub(r.t0).Milliseconds()
		}
	}
}

// label says what the trigger does, for the report.
func (r *runner) label() string {
	var parts []string
	for _, st := range r.sc.Trigger {
		parts = append(parts, strings.TrimSpace(r.what(st)+" "+strings.Join(services(r.resolve(st.Who, nil)), ", ")))
	}
	return strings.Join(parts, ", then ")
}

func (r *runner) record(d Done, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.obs.Steps = append(r.obs.Steps, d)
	r.at = append(r.at, at)
}

func services(nodes []topology.Node) []string {
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = n.Service
	}
	return out
}

// resolve names the nodes of who, now.
func (r *runner) resolve(who Who, ev *failover.Event) []topology.Node {
	t := r.s.Lab.Topology
	master := r.d.Master
	var out []topology.Node
	switch {
	case who == TheMaster:
		out = []topology.Node{master}
	case who == TheReplicas:
		for _, n := range t.DataNodes() {
			if n != master {
				out = append(out, n)
			}
		}
	case who == TheSentinels:
		out = t.Sentinels()
	case who == TheLastSentinels:
		out = t.Sentinels()[1:]
	case who == TheFirstSentinel:
		out = t.Sentinels()[:1]
	case who == TheEventNode && ev != nil:
		if in, ok := failover.ParseInstance(ev.Detail); ok {
			if n, ok := t.NodeAt(in.Addr); ok {
				out = []topology.Node{n}
			}
		}
	case strings.HasPrefix(string(who), "services:"):
		for _, svc := range strings.Split(strings.TrimPrefix(string(who), "services:"), ",") {
			if n, ok := t.Node(svc); ok {
				out = append(out, n)
			}
		}
	}
	return out
}

// what says a step in a few words.
func (r *runner) what(st Step) string {
	switch st.Do {
	case DoFault:
		return r.spec(st).Describe()
	case DoLift:
		return "undo"
	case DoFailover:
		return "SENTINEL FAILOVER"
	case DoDisarm:
		return "disarm"
	case DoQuorum:
		return fmt.Sprintf("SENTINEL SET quorum %d", st.Quorum)
	}
	return string(st.Do)
}

// spec is the step's fault with its duration and --from resolved.
func (r *runner) spec(st Step) fault.Spec {
	sp := st.Fault
	if st.For != nil {
		sp.For = st.For(r.t)
	}
	if st.From != "" {
		sp.From = services(r.resolve(st.From, nil))
	}
	return sp
}

// do takes one step, records it, and tells whether it was carried out.
func (r *runner) do(ctx context.Context, st Step, ev *failover.Event) bool {
	at := r.s.Now()
	targets := r.resolve(st.Who, ev)
	d := Done{What: r.what(st), Services: services(targets)}
	if ev != nil {
		d.Trigger = fmt.Sprintf("%s from %s", ev.Type, ev.Sentinel)
	}
	err := r.act(ctx, st, targets)
	if err == nil && st.Until != "" {
		err = r.wait(ctx, st.Until)
	}
	if err != nil {
		d.Error = err.Error()
	}
	r.record(d, at)
	return err == nil
}

// act carries a step out on its nodes.
func (r *runner) act(ctx context.Context, st Step, targets []topology.Node) error {
	if len(targets) == 0 {
		return fmt.Errorf("no node is %s", st.Who)
	}
	s := r.s
	switch st.Do {
	case DoFault:
		sp := r.spec(st)
		if _, err := fault.Apply(ctx, s, targets, sp); err != nil {
			return err
		}
		if sp.For > 0 && sp.Mode != fault.Sleep {
			r.mu.Lock()
			r.lifts = append(r.lifts, lift{due: s.Now().Add(sp.For), services: services(targets)})
			r.mu.Unlock()
		}
		return nil
	case DoLift:
		_, err := fault.Lift(ctx, s, services(targets))
		return err
	case DoFailover:
		reply, err := s.Nodes().Do(ctx, targets[0], "SENTINEL", "FAILOVER", s.Lab.Config.MasterName)
		if err == nil && reply != "OK" {
			err = fmt.Errorf("SENTINEL FAILOVER answered %v", reply)
		}
		return err
	case DoDisarm:
		_, err := fault.Disarm(ctx, s, targets)
		return err
	case DoQuorum:
		r.quorumSet = true
		return setQuorum(ctx, s, targets, st.Quorum)
	}
	return fmt.Errorf("unknown step %q", st.Do)
}

// wait waits, after a step, until its condition holds.
func (r *runner) wait(ctx context.Context, u Until) error {
	if u != ReplicasFlagged {
		return fmt.Errorf("unknown condition %q", u)
	}
	s := r.s
	replicas := r.resolve(TheReplicas, nil)
	_, err := wait.Strategy{Clock: s.Time(), Interval: 100 * time.Millisecond, Timeout: r.t.DownAfter + 5*time.Second,
		OnChange: func(_ time.Duration, c string) { s.Progress.Printf("waiting: %s", c) },
	}.Until(ctx, func(ctx context.Context) (bool, string, error) {
		for _, v := range probe.SentinelViews(ctx, s.Nodes(), s.Lab.Topology) {
			if !v.Reachable {
				continue
			}
			for _, n := range replicas {
				if !flaggedDown(v, n) {
					return false, fmt.Sprintf("%s does not flag %s s_down yet", v.Service, n.Service), nil
				}
			}
		}
		return true, "", nil
	})
	var te *wait.TimeoutError
	if errors.As(err, &te) {
		return fmt.Errorf("the sentinels did not flag the replicas down within %s: %s", te.After.Round(100*time.Millisecond), te.Last)
	}
	return err
}

func flaggedDown(v probe.SentinelView, n topology.Node) bool {
	for _, p := range v.Replicas {
		if p.Address == n.Addr.String() {
			return strings.Contains(p.Flags, "s_down")
		}
	}
	return false
}

// setQuorum sets the quorum of the sentinels that answer; one that does
// not answer keeps the one in its conf.
func setQuorum(ctx context.Context, s *lab.Session, sentinels []topology.Node, q int) error {
	var firstErr error
	for _, n := range sentinels {
		reply, err := s.Nodes().Do(ctx, n, "SENTINEL", "SET", s.Lab.Config.MasterName, "quorum", strconv.Itoa(q))
		if err == nil && reply != "OK" {
			err = fmt.Errorf("SENTINEL SET quorum on %s answered %v", n.Service, reply)
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return firstErr
}
