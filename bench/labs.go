package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/wait"
)

// runLab is the lab of one run: a fresh directory, a name used by no other
// lab, free host ports and a free subnet.
type runLab struct {
	Name               string
	Dir                string
	Port, SentinelPort int
	Subnet             netip.Prefix
}

// ComposeFile is the rendered compose file.
func (l *runLab) ComposeFile() string { return filepath.Join(l.Dir, "compose", "docker-compose.yml") }

// newLab renders a fresh lab with `sentinel-lab render`: the defaults of
// the product, plus this invocation's image, a unique name, free ports, a
// free subnet and any extra render flags. The lab is returned even on
// error, so it can be removed.
func (b *Bench) newLab(ctx context.Context, tag string, extra ...string) (*runLab, error) {
	b.mu.Lock()
	b.seq++
	name := fmt.Sprintf("slbench-%s-%02d%s", b.id, b.seq, tag)
	b.labs = append(b.labs, name)
	b.mu.Unlock()

	dir, err := os.MkdirTemp(b.root, name+"-")
	if err != nil {
		return nil, err
	}
	l := &runLab{Name: name, Dir: dir}
	if l.Port, l.SentinelPort, err = freePorts(); err != nil {
		return l, err
	}
	if l.Subnet, err = b.freeSubnet(ctx); err != nil {
		return l, err
	}
	args := []string{"render", "--dir", dir, "--name", name, "--image", b.Image,
		"--port", strconv.Itoa(l.Port), "--sentinel-port", strconv.Itoa(l.SentinelPort),
		"--subnet", l.Subnet.String()}
	_, err = b.sentinelLab(ctx, append(args, extra...)...)
	return l, err
}

// upLab starts a rendered lab with `sentinel-lab up` (which returns once it
// is healthy), untimed, and notes the Redis version it runs.
func (b *Bench) upLab(ctx context.Context, l *runLab) error {
	if _, err := b.sentinelLab(ctx, "up", "--dir", l.Dir, "--timeout", b.Timeout.String(), "-o", "json"); err != nil {
		return err
	}
	hw, err := openHealthWait(l)
	if err != nil {
		return err
	}
	defer hw.Close()
	health, version := hw.check(ctx)
	if !health.Healthy {
		return fmt.Errorf("up returned, but a fresh probe says: %s", health.Condition())
	}
	if b.RedisVersion == "" {
		b.RedisVersion = version
	}
	return nil
}

// sentinelLab runs the binary under test and returns its stdout.
func (b *Bench) sentinelLab(ctx context.Context, args ...string) ([]byte, error) {
	return runCommand(ctx, b.Bin, args...)
}

// compose runs the compose command on the lab's rendered file, as its
// project.
func (b *Bench) compose(ctx context.Context, l *runLab, args ...string) error {
	full := append(append([]string{}, b.Compose[1:]...), "-p", l.Name, "-f", l.ComposeFile())
	_, err := runCommand(ctx, b.Compose[0], append(full, args...)...)
	return err
}

func runCommand(ctx context.Context, name string, args ...string) ([]byte, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, lastLines(stderr.String(), 12))
	}
	return stdout.Bytes(), nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// healthWait is the wait `up` does, run from outside the binary: the lab's
// own Prober (same dialer, same password) and probe.Evaluate, polled with
// internal/wait every 100 ms, as lab.Env polls by default.
type healthWait struct {
	lab    *lab.Lab
	prober *probe.Prober
	// eng tells the prober where the lab network is.
	eng *engine.Docker
}

// openHealthWait reads the rendered lab (topology, password) and makes its
// prober; nothing connects until the first poll.
func openHealthWait(l *runLab) (*healthWait, error) {
	dir, err := labdir.New(l.Dir)
	if err != nil {
		return nil, err
	}
	lb, err := lab.Open(dir)
	if err != nil {
		return nil, err
	}
	eng, err := engine.NewDocker()
	if err != nil {
		return nil, err
	}
	return &healthWait{lab: lb, prober: lb.Prober(eng, probe.ReachAuto), eng: eng}, nil
}

// pollInterval is lab.Env's default health poll interval.
const pollInterval = 100 * time.Millisecond

// until polls until the lab is healthy or timeout passes.
func (h *healthWait) until(ctx context.Context, timeout time.Duration) (probe.Health, error) {
	var last probe.Health
	_, err := wait.Strategy{Interval: pollInterval, Timeout: timeout}.Until(ctx, func(ctx context.Context) (bool, string, error) {
		last = probe.Evaluate(h.lab.Topology, h.prober.Snapshot(ctx))
		return last.Healthy, last.Condition(), nil
	})
	return last, err
}

// check takes one snapshot: whether the lab is healthy, and the server
// and version its nodes report ("Redis 7.0.15").
func (h *healthWait) check(ctx context.Context) (probe.Health, string) {
	snap := h.prober.Snapshot(ctx)
	health := probe.Evaluate(h.lab.Topology, snap)
	version := ""
	for _, n := range snap.Nodes {
		if n.Reachable && !n.Server.IsZero() {
			version = n.Server.String()
			break
		}
	}
	return health, version
}

func (h *healthWait) Close() {
	h.prober.Close()
	h.eng.Close()
}

// down removes the lab as a user would (`sentinel-lab down --volumes`),
// then checks by label that nothing of it is left, removing what is, and
// deletes its directory.
func (b *Bench) down(ctx context.Context, l *runLab) error {
	if l == nil {
		return nil
	}
	_, downErr := b.sentinelLab(ctx, "down", "--dir", l.Dir, "--volumes")
	left, err := b.removeByLabel(ctx, l.Name)
	if rmErr := os.RemoveAll(l.Dir); rmErr != nil && err == nil {
		err = rmErr
	}
	switch {
	case downErr != nil:
		return downErr
	case err != nil:
		return err
	case left > 0:
		return fmt.Errorf("sentinel-lab down left %d containers or networks of lab %s behind (removed now by label)", left, l.Name)
	}
	return nil
}

// removeByLabel removes every container and network whose compose project
// is name, and says how many there were.
func (b *Bench) removeByLabel(ctx context.Context, name string) (int, error) {
	n := 0
	cs, err := b.Engine.Containers(ctx, map[string]string{engine.LabelProject: name})
	if err != nil {
		return n, err
	}
	for _, c := range cs {
		if err := b.Engine.Remove(ctx, c.ID); err != nil {
			return n, err
		}
		n++
	}
	nets, err := b.Engine.Networks(ctx)
	if err != nil {
		return n, err
	}
	for _, nw := range nets {
		if nw.Labels[engine.LabelProject] != name {
			continue
		}
		if err := b.Engine.RemoveNetwork(ctx, nw.ID); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// cleanupAll removes what is left of every lab of this invocation and
// their directories; it runs even after an interrupt, so on a fresh context.
func (b *Bench) cleanupAll() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b.mu.Lock()
	names := append([]string(nil), b.labs...)
	b.mu.Unlock()
	for _, name := range names {
		if n, err := b.removeByLabel(ctx, name); err != nil {
			b.Log.Printf("cleanup of %s: %v", name, err)
		} else if n > 0 {
			b.Log.Printf("cleanup: removed %d containers or networks of %s", n, name)
		}
	}
	if err := os.RemoveAll(b.root); err != nil {
		b.Log.Printf("cleanup: %v", err)
	}
}

// freePorts finds 20 consecutive free ports on 127.0.0.1 below Linux's
// ephemeral range: the data nodes publish from the first, the sentinels
// from the eleventh.
func freePorts() (port, sentinelPort int, err error) {
	for attempt := 0; attempt < 100; attempt++ {
		base := 20000 + rand.IntN(1200)*10
		if portsFree(base, 20) {
			return base, base + 10, nil
		}
	}
	return 0, 0, fmt.Errorf("no 20 consecutive free ports found between 20000 and 32000")
}

func portsFree(base, n int) bool {
	for p := base; p < base+n; p++ {
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			return false
		}
		ln.Close()
	}
	return true
}

// benchSubnets is where run labs get their /24s: the pool sentinel-lab
// picks from, at a random place, skipping any subnet a network uses.
var benchSubnets = netip.MustParsePrefix("172.28.0.0/14")

func (b *Bench) freeSubnet(ctx context.Context) (netip.Prefix, error) {
	nets, err := b.Engine.Networks(ctx)
	if err != nil {
		return netip.Prefix{}, err
	}
	p, ok := lab.FreeSubnet(benchSubnets, rand.IntN(1<<(24-benchSubnets.Bits())),
		func(p netip.Prefix) bool { return overlapsAny(nets, p) })
	if !ok {
		return netip.Prefix{}, fmt.Errorf("no free /24 in %s", benchSubnets)
	}
	return p, nil
}

func overlapsAny(nets []engine.Network, p netip.Prefix) bool {
	for _, n := range nets {
		for _, s := range n.Subnets {
			if s.Overlaps(p) {
				return true
			}
		}
	}
	return false
}
