package fault

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// Injection is one fault about to be applied to one node. Prepare makes
// what the fault needs beforehand (a network, the helper image, the
// rules), so Inject is one quick step whose time is the fault's time.
type Injection struct {
	s    *lab.Session
	Node topology.Node
	c    engine.Container
	Spec Spec

	h      *helper
	rules  string
	device string
	// Until is when a sleeping node wakes, once injected.
	Until time.Time
}

// Prepare readies spec for node n, whose container is c.
func Prepare(ctx context.Context, s *lab.Session, n topology.Node, c engine.Container, spec Spec) (*Injection, error) {
	in := &Injection{s: s, Node: n, c: c, Spec: spec}
	if c.ID == "" {
		return nil, fmt.Errorf("%s has no container; start the lab with `sentinel-lab up`", n.Service)
	}
	if c.State != engine.StateRunning {
		return nil, fmt.Errorf("%s is already down (container %s); bring it back with `sentinel-lab revive %s` first", n.Service, c.State, n.Service)
	}
	if _, on := c.Addresses[s.Lab.NetworkName()]; !on && spec.Mode != Kill && spec.Mode != Stop {
		return nil, fmt.Errorf("%s is cut off from the lab network; `sentinel-lab revive %s` reconnects it", n.Service, n.Service)
	}
	var err error
	switch spec.Mode {
	case Disconnect:
		err = ensureIsolatedNetwork(ctx, s, n)
	case Loss:
		if in.h, err = newHelper(ctx, s); err == nil {
			in.rules = lossRules(spec.LossPercent, fromAddrs(s.Lab.Topology, spec.From))
		}
	case Delay:
		if in.h, err = newHelper(ctx, s); err == nil {
			in.device, err = in.h.device(ctx, c, n.Service, n.Addr.Addr())
		}
	}
	if err != nil {
		return nil, fmt.Errorf("preparing to fault %s: %w", n.Service, err)
	}
	return in, nil
}

// Abandon removes what Prepare made, after an Inject that failed.
func (in *Injection) Abandon() {
	if in.Spec.Mode != Disconnect {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	in.s.Engine.RemoveNetwork(ctx, isolatedNetwork(in.s.Lab, in.Node.Service))
}

// Inject applies the fault, and records it when the engine cannot show it.
func (in *Injection) Inject(ctx context.Context) error {
	eng, c, n := in.s.Engine, in.c, in.Node
	at := in.s.Now()
	rec := Record{Service: n.Service, Spec: in.Spec, Container: c.ID, At: at}
	switch in.Spec.Mode {
	case Kill:
		return eng.Kill(ctx, c.ID, "SIGKILL")
	case Stop:
		if in.s.Lab.Config.Swarm() {
			// A swarm stops a node by scaling its service to 0.
			return in.s.StopNode(ctx, n.Service)
		}
		return eng.Stop(ctx, c.ID, 10*time.Second)
	case Pause:
		return eng.Pause(ctx, c.ID)
	case Disconnect:
		if err := eng.Disconnect(ctx, c.ID, in.s.Lab.NetworkName()); err != nil {
			return err
		}
		return eng.Connect(ctx, c.ID, engine.Endpoint{Network: isolatedNetwork(in.s.Lab, n.Service)})
	case Loss:
		if err := in.h.nft(ctx, c, n.Service, in.rules); err != nil {
			return err
		}
		rec.Kind = Filtered
	case Delay:
		if err := in.h.netem(ctx, c, n.Service, in.device, in.Spec.Delay, in.Spec.Jitter); err != nil {
			return err
		}
		rec.Kind, rec.Device = Delayed, in.device
	case Sleep:
		if err := in.sleep(ctx); err != nil {
			return err
		}
		in.Until = at.Add(in.Spec.For)
		rec.Kind, rec.Until = Sleeping, in.Until
	case CrashAfterElection, CrashAfterPromotion:
		if err := arm(ctx, in.s, n, in.Spec.Mode); err != nil {
			return err
		}
		rec.Kind = Armed
	default:
		return fmt.Errorf("unknown mode %q", in.Spec.Mode)
	}
	return remember(in.s.Lab.Dir, rec)
}

// sleep runs DEBUG SLEEP with redis-cli inside the node's container: the
// confs allow DEBUG from local connections only (enable-debug-command
// local), and this is one. The call blocks for the whole sleep, so it runs
// on its own; a refusal comes back at once.
func (in *Injection) sleep(ctx context.Context) error {
	secs := strconv.FormatFloat(in.Spec.For.Seconds(), 'f', 3, 64)
	var out bytes.Buffer
	spec := RedisCLI(in.Node, in.s.Lab.Password, "DEBUG", "SLEEP", secs)
	w := &lockedWriter{b: &out}
	spec.Stdout, spec.Stderr = w, w
	started, finished := make(chan struct{}), make(chan struct{})
	var once sync.Once
	spec.Started = func() { once.Do(func() { close(started) }) }
	var execErr error
	go func() {
		defer close(finished)
		code, err := in.s.Engine.Exec(context.WithoutCancel(ctx), in.c.ID, spec)
		if err == nil && code != 0 {
			err = fmt.Errorf("redis-cli exited with code %d", code)
		}
		execErr = err
	}()
	back := func() error {
		// Back already: a refusal, or a sleep shorter than the wait.
		reply := strings.TrimSpace(w.String())
		if execErr == nil && reply == "OK" {
			return nil
		}
		return sleepRefused(in.Node.Service, reply, execErr)
	}
	select {
	case <-finished:
		return back()
	case <-started:
	case <-ctx.Done():
		return ctx.Err()
	}
	// A server asleep does not answer PING (it times out). One that
	// answers has not read DEBUG SLEEP yet, or refused it, and then
	// redis-cli is back with why.
	for tries := 0; tries < 12; tries++ {
		if reply, err := in.s.Nodes().Do(ctx, in.Node, "PING"); err != nil || reply != "PONG" {
			return nil
		}
		select {
		case <-finished:
			return back()
		case <-in.s.Time().After(250 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return fmt.Errorf("DEBUG SLEEP on %s did not take effect: it still answers PING 3s after it was sent", in.Node.Service)
}

// DebugDisabledError is a node that refuses DEBUG.
type DebugDisabledError struct{ Service, Reply string }

func (e *DebugDisabledError) Error() string {
	return fmt.Sprintf("%s refuses DEBUG SLEEP (%s): its redis.conf was rendered before sentinel-lab enabled the DEBUG command there (enable-debug-command local); "+
		"`sentinel-lab down --volumes` then `sentinel-lab up` renders the confs afresh (its data is lost), or add `enable-debug-command local` to data/%s/data/redis.conf and restart it",
		e.Service, e.Reply, e.Service)
}

func sleepRefused(service, reply string, err error) error {
	if strings.Contains(reply, "DEBUG command not allowed") {
		return &DebugDisabledError{Service: service, Reply: reply}
	}
	if reply == "" && err != nil {
		reply = err.Error()
	}
	return fmt.Errorf("DEBUG SLEEP on %s did not take effect: %s", service, reply)
}

// RedisCLI is redis-cli connected to node from inside its container. The
// password goes in the environment: a command line shows in `ps` and in
// the engine's record of the exec.
func RedisCLI(node topology.Node, password string, args ...string) engine.ExecSpec {
	cmd := append([]string{"redis-cli", "-h", "127.0.0.1", "-p", strconv.Itoa(int(node.Addr.Port()))}, args...)
	spec := engine.ExecSpec{Cmd: cmd}
	if password != "" {
		spec.Env = []string{"REDISCLI_AUTH=" + password}
	}
	return spec
}

// arm sets a sentinel to crash during the next failover it leads.
func arm(ctx context.Context, s *lab.Session, n topology.Node, m Mode) error {
	reply, err := s.Nodes().Do(ctx, n, "SENTINEL", "SIMULATE-FAILURE", string(m))
	if err != nil {
		return fmt.Errorf("SENTINEL SIMULATE-FAILURE %s on %s: %w", m, n.Service, err)
	}
	if reply != "OK" {
		return fmt.Errorf("SENTINEL SIMULATE-FAILURE %s on %s answered %v", m, n.Service, reply)
	}
	return nil
}

// disarm clears a sentinel's simulated failures: SIMULATE-FAILURE resets
// them before it reads its arguments, and `help` sets none.
func disarm(ctx context.Context, s *lab.Session, n topology.Node) error {
	if _, err := s.Nodes().Do(ctx, n, "SENTINEL", "SIMULATE-FAILURE", "help"); err != nil {
		return fmt.Errorf("disarming %s (SENTINEL SIMULATE-FAILURE help): %w", n.Service, err)
	}
	return nil
}

func fromAddrs(t *topology.Lab, services []string) []netip.Addr {
	var out []netip.Addr
	for _, s := range services {
		if n, ok := t.Node(s); ok {
			out = append(out, n.Addr.Addr())
		}
	}
	return out
}

// Disarm clears the simulated failures of the sentinels given that still
// answer, and forgets their records; one that does not answer (it
// crashed, which cleared them) is skipped.
func Disarm(ctx context.Context, s *lab.Session, sentinels []topology.Node) ([]string, error) {
	var done []string
	for _, n := range sentinels {
		if err := disarm(ctx, s, n); err != nil {
			continue
		}
		if err := forget(s.Lab.Dir, n.Service, Armed); err != nil {
			return done, err
		}
		done = append(done, n.Service)
	}
	return done, nil
}
