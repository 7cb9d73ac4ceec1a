package labtest

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/image"
	"github.com/sentinel-lab/sentinel-lab/internal/probe/probetest"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// Helpers makes the fakes do what faults ask of the lab's helpers and
// nodes: the network helper image is built from this test binary (any
// ELF file will do) and its runs succeed, except that tc finds no netem,
// as on a kernel without it; redis-cli's DEBUG SLEEP makes its node
// silent for the time asked; sentinels accept SIMULATE-FAILURE, FAILOVER
// and SET. It returns the record of what was run.
func (fx *Lab) Helpers() *HelperRuns {
	h := &HelperRuns{}
	self, _ := os.Executable()
	host := image.Host{LookPath: func(name string) (string, error) {
		if base := name[strings.LastIndex(name, "/")+1:]; base == "nft" || base == "tc" || base == "ip" {
			return self, nil
		}
		return "", os.ErrNotExist
	}}
	fx.Session.Host = host
	var addrs []string
	for _, n := range fx.Session.Lab.Topology.Nodes {
		addrs = append(addrs, fmt.Sprintf("2: eth0    inet %s/24 brd 0.0.0.0 scope global eth0", n.Addr.Addr()))
	}
	fx.Engine.OnRun(func(spec engine.ContainerSpec) (int, string) {
		h.add(spec)
		switch {
		case len(spec.Cmd) > 0 && spec.Cmd[0] == "ip":
			return 0, strings.Join(addrs, "\n")
		case len(spec.Cmd) > 0 && spec.Cmd[0] == "tc":
			return 2, "Error: Specified qdisc kind is unknown."
		case slices.Contains(spec.Entrypoint, "redis-server"):
			return 0, "Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=0"
		}
		return 0, ""
	})
	fx.Engine.OnExec(func(c engine.Container, spec engine.ExecSpec) (int, error) {
		h.addExec(c.Service, spec.Cmd)
		if i := slices.Index(spec.Cmd, "SLEEP"); i > 0 && i+1 < len(spec.Cmd) {
			var secs float64
			fmt.Sscan(spec.Cmd[i+1], &secs)
			fx.Nodes.Now(func(st *probetest.State) { st.Down(c.Service) })
			fx.Nodes.After(time.Duration(secs*float64(time.Second)), func(st *probetest.State) { st.Up(c.Service) })
			fmt.Fprintln(spec.Stdout, "OK")
		}
		return 0, nil
	})
	fx.Nodes.OnDo(func(n topology.Node, args []any) (any, error) {
		h.addDo(n.Service, args)
		if len(args) == 1 && args[0] == "PING" {
			return "PONG", nil
		}
		if len(args) > 1 && args[0] == "SENTINEL" && args[1] == "SIMULATE-FAILURE" && len(args) > 2 && args[2] == "help" {
			return []any{"crash-after-election", "crash-after-promotion"}, nil
		}
		return "OK", nil
	})
	return h
}

// HelperRuns records what the fakes were asked to run.
type HelperRuns struct {
	mu    sync.Mutex
	specs []engine.ContainerSpec
	execs []string
	dos   []string
}

func (h *HelperRuns) add(spec engine.ContainerSpec) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.specs = append(h.specs, spec)
}

func (h *HelperRuns) addExec(service string, cmd []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.execs = append(h.execs, service+": "+strings.Join(cmd, " "))
}

func (h *HelperRuns) addDo(service string, args []any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	parts := []string{service + ":"}
	for _, a := range args {
		parts = append(parts, fmt.Sprint(a))
	}
	h.dos = append(h.dos, strings.Join(parts, " "))
}

// Runs are the helper containers started, in order.
func (h *HelperRuns) Runs() []engine.ContainerSpec {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.specs)
}

// Execs are the commands run in the nodes' containers, "node-1: redis-cli ...".
func (h *HelperRuns) Execs() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.execs)
}

// Dos are the raw commands sent to nodes, "sentinel-1: SENTINEL FAILOVER ...".
func (h *HelperRuns) Dos() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.dos)
}
