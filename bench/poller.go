package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The failover baseline: what a person with only redis-cli would measure.
// A bash loop runs one redis-cli invocation after another against one
// sentinel, `SENTINEL get-master-addr-by-name <master-name>`, as fast as
// they go, and prints the wall-clock time of the first answer naming
// another master than the old one. bash's $EPOCHREALTIME reads the clock
// without a fork, and the reply goes through a file rather than $(...), so
// each poll costs one fork and exec: redis-cli's own.
//
// Arguments: redis-cli, host, port, master name, old master (ip:port), a
// deadline (Unix seconds), a scratch file. The password comes in
// REDISCLI_AUTH, never on a command line. Lines printed:
//
//	ready <t>                                    first answer, naming the old master
//	seen <start> <end> <polls> <began> <maxpoll µs> <gap µs> <ip:port>
//	other <t> <ip:port>                          the first answer already named another master
//	timeout <t> <polls> <began>
//
// <start>/<end> are the times the poll that first saw the switch began and
// returned; <gap> is from the previous poll's return to that one's: within
// it, the switch happened.
const pollerScript = `cli=$1 host=$2 port=$3 name=$4 old=$5 deadline=$6 out=$7
n=0 ready=0 maxpoll=0 prev= began=$EPOCHREALTIME
while :; do
  s=$EPOCHREALTIME
  "$cli" -h "$host" -p "$port" SENTINEL get-master-addr-by-name "$name" >"$out" 2>/dev/null
  e=$EPOCHREALTIME
  n=$((n+1))
  d=$(( ${e/./} - ${s/./} ))
  (( d > maxpoll )) && maxpoll=$d
  ip= p=
  { read -r ip; read -r p; } <"$out"
  case $p in ''|*[!0-9]*) ip= ;; esac
  if [ -n "$ip" ]; then
    if [ "$ip:$p" = "$old" ]; then
      if [ $ready = 0 ]; then ready=1; echo "ready $e"; fi
    elif [ $ready = 0 ]; then
      echo "other $e $ip:$p"; exit 2
    else
      echo "seen $s $e $n $began $maxpoll $(( ${e/./} - ${prev/./} )) $ip:$p"; exit 0
    fi
  fi
  prev=$e
  if [ "${e%.*}" -ge "$deadline" ]; then echo "timeout $e $n $began"; exit 3; fi
done
`

// pollTarget is one sentinel the baseline polls.
type pollTarget struct {
	Sentinel   string
	Host       string
	Port       int
	MasterName string
	Password   string
}

// pollResult is what one poller printed, read back.
type pollResult struct {
	Sentinel string
	Ready    time.Time
	// Seen: a poll answered with a new master, Addr.
	Seen               bool
	SeenStart, SeenEnd time.Time
	Addr               string
	// Polls counted from Began to SeenEnd (or to the timeout).
	Polls int
	Began time.Time
	// MaxPoll is the longest single redis-cli round trip; Gap the time
	// between the return of the last poll that saw the old master and the
	// return of the first that saw the new one.
	MaxPoll, Gap time.Duration
	// CPU is the user + system time of the poller and its redis-cli
	// invocations, over Wall, its lifetime.
	CPU, Wall time.Duration
}

// Interval is the mean time one poll took, start to start: the resolution
// of the baseline.
func (r pollResult) Interval() time.Duration {
	if r.Polls == 0 || !r.Seen {
		return 0
	}
	return r.SeenEnd.Sub(r.Began) / time.Duration(r.Polls)
}

// parseEpoch reads bash's $EPOCHREALTIME: seconds, a point, microseconds.
func parseEpoch(s string) (time.Time, error) {
	sec, frac, ok := strings.Cut(s, ".")
	if !ok || len(frac) == 0 || len(frac) > 9 {
		return time.Time{}, fmt.Errorf("time %q is not seconds.fraction", s)
	}
	secs, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("time %q: %w", s, err)
	}
	nanos, err := strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("time %q: %w", s, err)
	}
	return time.Unix(secs, nanos), nil
}

// parsePollerOutput reads what the poller script printed.
func parsePollerOutput(sentinel string, lines []string) (pollResult, error) {
	r := pollResult{Sentinel: sentinel}
	var err error
	for _, line := range lines {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		switch {
		case f[0] == "ready" && len(f) == 2:
			if r.Ready, err = parseEpoch(f[1]); err != nil {
				return r, err
			}
		case f[0] == "seen" && len(f) == 8:
			if r.SeenStart, err = parseEpoch(f[1]); err != nil {
				return r, err
			}
			if r.SeenEnd, err = parseEpoch(f[2]); err != nil {
				return r, err
			}
			if r.Polls, err = strconv.Atoi(f[3]); err != nil {
				return r, fmt.Errorf("poll count %q: %w", f[3], err)
			}
			if r.Began, err = parseEpoch(f[4]); err != nil {
				return r, err
			}
			maxPoll, err1 := strconv.ParseInt(f[5], 10, 64)
			gap, err2 := strconv.ParseInt(f[6], 10, 64)
			if err := errors.Join(err1, err2); err != nil {
				return r, fmt.Errorf("%q: %w", line, err)
			}
			r.MaxPoll, r.Gap = time.Duration(maxPoll)*time.Microsecond, time.Duration(gap)*time.Microsecond
			r.Seen, r.Addr = true, f[7]
		case f[0] == "other" && len(f) == 3:
			return r, fmt.Errorf("%s already named %s as master when polling began", sentinel, f[2])
		case f[0] == "timeout" && len(f) == 4:
			return r, fmt.Errorf("%s still named the old master at the deadline, after %s polls", sentinel, f[2])
		default:
			return r, fmt.Errorf("unexpected line from the %s poller: %q", sentinel, line)
		}
	}
	switch {
	case r.Ready.IsZero():
		return r, fmt.Errorf("the %s poller never got an answer naming the old master", sentinel)
	case !r.Seen:
		return r, fmt.Errorf("the %s poller stopped before it saw a new master", sentinel)
	}
	return r, nil
}

// poller is one running baseline process.
type poller struct {
	target  pollTarget
	cmd     *exec.Cmd
	started time.Time
	ready   chan struct{}
	done    chan struct{}

	mu     sync.Mutex
	lines  []string
	exited time.Time
}

// startPoller starts the baseline loop against one sentinel; it runs until
// it sees a master other than old, the deadline, or kill.
func startPoller(cli string, t pollTarget, old string, deadline time.Time, scratch string) (*poller, error) {
	cmd := exec.Command("bash", "-c", pollerScript, "poller", cli, t.Host, strconv.Itoa(t.Port),
		t.MasterName, old, strconv.FormatInt(deadline.Unix(), 10), scratch)
	cmd.Env = append(withoutEnv(os.Environ(), "REDISCLI_AUTH", "LC_ALL"), "LC_ALL=C")
	if t.Password != "" {
		cmd.Env = append(cmd.Env, "REDISCLI_AUTH="+t.Password)
	}
	// Its own process group, so kill takes the running redis-cli too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p := &poller{target: t, cmd: cmd, ready: make(chan struct{}), done: make(chan struct{})}
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the baseline poller: %w", err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		readyClosed := false
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.lines = append(p.lines, line)
			p.mu.Unlock()
			if strings.HasPrefix(line, "ready ") && !readyClosed {
				close(p.ready)
				readyClosed = true
			}
		}
		// A poller exits 0 once it saw the switch; any other exit is read
		// from what it printed.
		cmd.Wait()
		p.mu.Lock()
		p.exited = time.Now()
		p.mu.Unlock()
		close(p.done)
	}()
	return p, nil
}

// waitReady waits until the poller has seen the old master once.
func (p *poller) waitReady(ctx context.Context, timeout time.Duration) error {
	select {
	case <-p.ready:
		return nil
	case <-p.done:
		res, err := p.result()
		if err == nil {
			err = fmt.Errorf("the %s poller exited at once (%v)", p.target.Sentinel, res)
		}
		return err
	case <-time.After(timeout):
		p.kill()
		return fmt.Errorf("the %s poller got no answer naming the old master in %s", p.target.Sentinel, timeout)
	case <-ctx.Done():
		p.kill()
		return ctx.Err()
	}
}

// finish waits up to grace for the poller to exit by itself, then kills
// it, and reads what it printed.
func (p *poller) finish(grace time.Duration) (pollResult, error) {
	select {
	case <-p.done:
	case <-time.After(grace):
		p.kill()
	}
	return p.result()
}

// kill ends the poller's process group, unless it has already exited (its
// group id may then belong to someone else).
func (p *poller) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	if p.cmd.Process != nil {
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	}
	<-p.done
}

func (p *poller) result() (pollResult, error) {
	<-p.done
	p.mu.Lock()
	lines, exited := append([]string(nil), p.lines...), p.exited
	p.mu.Unlock()
	r, err := parsePollerOutput(p.target.Sentinel, lines)
	if st := p.cmd.ProcessState; st != nil {
		// The rusage of a reaped process includes its reaped children:
		// every redis-cli it ran.
		r.CPU = st.UserTime() + st.SystemTime()
	}
	r.Wall = exited.Sub(p.started)
	return r, err
}

// withoutEnv drops the named variables from env.
func withoutEnv(env []string, names ...string) []string {
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, n := range names {
			drop = drop || k == n
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return out
}
