package lab

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/probe"
	"github.com/sentinel-lab/sentinel-lab/internal/render"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// previous is the lab as it was last rendered, nil for a lab never
// rendered.
func (l *Lab) previous() (*Lab, error) {
	if l.state.Config == nil || l.state.Subnet == "" {
		return nil, nil
	}
	cfg, err := config.FromSaved(config.Saved(l.state.Config))
	if err != nil {
		return nil, err
	}
	if cfg.PortAuto {
		if err := cfg.SetPorts(l.state.Port, l.state.SentinelPort); err != nil {
			return nil, err
		}
	}
	subnet, err := config.ParseSubnet(l.state.Subnet)
	if err != nil {
		return nil, err
	}
	return &Lab{Dir: l.Dir, Config: cfg, Topology: topology.New(cfg, subnet), Password: l.Password, Image: l.Image, state: l.state}, nil
}

// removedNodes are the nodes of the lab as last rendered that the new
// configuration drops (a shrink: --replicas 1 after 2) and that still have a
// container.
func (l *Lab) removedNodes(prev *Lab, existing map[string]engine.Container) []topology.Node {
	var out []topology.Node
	for _, n := range prev.Topology.Nodes {
		if _, kept := l.Topology.Node(n.Service); kept {
			continue
		}
		if _, ok := existing[n.Service]; ok {
			out = append(out, n)
		}
	}
	return out
}

// ShrinkError refuses a shrink that would remove the current master.
type ShrinkError struct {
	Master    string
	Why       string
	Replicas  int
	KeepsWith int
}

func (e *ShrinkError) Error() string {
	return fmt.Sprintf("%s is the current master (%s), and --replicas %d would remove it: the writes it acknowledged that no replica has yet would be lost, and the sentinels would start an unplanned failover. "+
		"Fail it over first (`sentinel-lab kill-master`, then `sentinel-lab revive`) until a node that stays is the master, or keep it: --replicas %d or more",
		e.Master, e.Why, e.Replicas, e.KeepsWith)
}

// IsUsage marks the refusal as the user's to act on.
func (e *ShrinkError) IsUsage() bool { return true }

// checkShrink returns the nodes a shrink removes, refusing, before anything
// is written, one that would remove the master or a node that answers
// role:master.
func (s *Session) checkShrink(ctx context.Context, existing map[string]engine.Container) ([]topology.Node, error) {
	l := s.Lab
	prev, err := l.previous()
	if err != nil || prev == nil {
		return nil, err
	}
	removed := l.removedNodes(prev, existing)
	dataRemoved := false
	for _, n := range removed {
		dataRemoved = dataRemoved || !n.IsSentinel()
	}
	if !dataRemoved {
		return removed, nil
	}
	// The lab as it was rendered last, to ask its nodes (some of which
	// this up would remove).
	nodes := s.openNodes(prev)
	defer nodes.Close()
	snap := probe.TakeSnapshot(ctx, nodes, prev.Topology, s.Now())
	claims := sentinelClaims(snap)
	if len(claims) == 0 {
		claims = confClaims(prev)
	}
	if len(claims) == 0 {
		return nil, fmt.Errorf("cannot tell which node is the master (no sentinel answers, and their confs name none), so shrinking could remove it; start the lab as it is first (sentinel-lab up --replicas %d), then shrink it",
			prev.Config.Replicas)
	}
	for _, n := range removed {
		if n.IsSentinel() {
			continue
		}
		refuse := &ShrinkError{Master: n.Service, Replicas: l.Config.Replicas, KeepsWith: n.Index}
		if why, ok := claims[n.Addr.String()]; ok {
			refuse.Why = why
			return nil, refuse
		}
		for _, ni := range snap.Nodes {
			if ni.Service == n.Service && ni.Reachable && ni.Role == topology.Master {
				refuse.Why = "it answers role:master"
				return nil, refuse
			}
		}
	}
	return removed, nil
}

// sentinelClaims are the addresses the answering sentinels name as master,
// each with who says so.
func sentinelClaims(s probe.Snapshot) map[string]string {
	who := map[string][]string{}
	for _, v := range s.Sentinels {
		if v.Reachable {
			who[v.MasterAddr] = append(who[v.MasterAddr], v.Service)
		}
	}
	out := map[string]string{}
	for addr, list := range who {
		verb := "says"
		if len(list) > 1 {
			verb = "say"
		}
		out[addr] = strings.Join(list, ", ") + " " + verb + " so"
	}
	return out
}

// confClaims are the masters the sentinels' confs name (`sentinel
// monitor`, which they rewrite at every failover), for a lab that is not
// running.
func confClaims(l *Lab) map[string]string {
	out := map[string]string{}
	for _, n := range l.Topology.Sentinels() {
		f, err := os.Open(render.ConfPath(l.Dir, n))
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if w := strings.Fields(sc.Text()); len(w) >= 5 && w[0] == "sentinel" && w[1] == "monitor" && w[2] == l.Config.MasterName {
				out[net.JoinHostPort(w[3], w[4])] = "the sentinels' confs say so"
			}
		}
		f.Close()
	}
	return out
}

// forgetting makes the sentinels forget nodes that are gone (SENTINEL
// RESET) while up waits for the lab to be healthy: Sentinel never forgets a
// replica or a sentinel by itself, keeps listing it s_down and counts a
// removed sentinel in its majority. Each sentinel is reset at most once per
// up; it learns the others again from the master's INFO and hello messages.
type forgetting struct {
	removed map[string]string // address -> service, of the nodes up removed
	done    map[string]bool
}

func newForgetting(removed []topology.Node) *forgetting {
	f := &forgetting{removed: map[string]string{}, done: map[string]bool{}}
	for _, n := range removed {
		f.removed[n.Addr.String()] = n.Service
	}
	return f
}

// step resets each answering sentinel that lists a removed node or a stale
// peer and was not reset yet. It returns what it did, "" when nothing.
func (f *forgetting) step(ctx context.Context, nodes probe.Nodes, l *Lab, snap probe.Snapshot) (string, error) {
	var did []string
	for _, v := range snap.Sentinels {
		if !v.Reachable || f.done[v.Service] {
			continue
		}
		var gone []string
		for _, p := range append(append([]probe.PeerState(nil), v.Replicas...), v.Sentinels...) {
			if s, ok := f.removed[p.Address]; ok {
				gone = append(gone, s)
			}
		}
		for _, p := range probe.StalePeers(l.Topology, v) {
			if _, ok := f.removed[p.Address]; !ok {
				gone = append(gone, p.Address)
			}
		}
		if len(gone) == 0 {
			continue
		}
		n, _ := l.Topology.Node(v.Service)
		if _, err := nodes.Do(ctx, n, "sentinel", "reset", l.Config.MasterName); err != nil {
			return "", fmt.Errorf("%s: SENTINEL RESET, to forget %s: %w", v.Service, strings.Join(gone, ", "), err)
		}
		f.done[v.Service] = true
		did = append(did, fmt.Sprintf("%s: sent SENTINEL RESET, so it forgets %s", v.Service, strings.Join(gone, ", ")))
	}
	return strings.Join(did, "; "), nil
}
