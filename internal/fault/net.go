package fault

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/image"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
)

// Network faults are set inside the node's own network namespace by a
// short-lived helper container that shares it (NetworkMode
// container:<id>) and alone has NET_ADMIN: the node's container never gets
// an extra capability, and its image needs no tools. The helper runs nft
// and tc from an image built from this host's binaries (image.NetTools).

// table is the nftables table sentinel-lab owns in a node's namespace:
// deleting it undoes every rule it set and nothing else.
const table = "sentinel_lab"

// lossRules is the nft script of a Loss fault: drop percent% of the
// packets the node receives from, and sends to, the from addresses (all
// but its loopback traffic when from is empty). It replaces any rules set
// before, so a second loss fault changes the first.
func lossRules(percent int, from []netip.Addr) string {
	drop := "drop"
	if percent < 100 {
		// numgen picks a number in 0..99 for each packet.
		drop = fmt.Sprintf("numgen random mod 100 < %d drop", percent)
	}
	in, out := `iifname != "lo"`, `oifname != "lo"`
	if len(from) > 0 {
		set := make([]string, len(from))
		for i, a := range from {
			set[i] = a.String()
		}
		list := "{ " + strings.Join(set, ", ") + " }"
		in, out = "ip saddr "+list, "ip daddr "+list
	}
	lines := []string{
		// add-then-delete makes the delete safe when the table is absent.
		"add table inet " + table,
		"delete table inet " + table,
		"add table inet " + table,
		"add chain inet " + table + " input { type filter hook input priority -10 ; policy accept ; }",
		"add chain inet " + table + " output { type filter hook output priority -10 ; policy accept ; }",
		"add rule inet " + table + " input " + in + " " + drop,
		"add rule inet " + table + " output " + out + " " + drop,
	}
	return strings.Join(lines, "\n")
}

// helper runs the network tools in target's network namespace.
type helper struct {
	s   *lab.Session
	ref string
}

func newHelper(ctx context.Context, s *lab.Session) (*helper, error) {
	ref, err := image.EnsureNetTools(ctx, s.Engine, s.Host, s.Progress.Writer())
	if err != nil {
		return nil, err
	}
	return &helper{s: s, ref: ref}, nil
}

// run runs one command of the helper image with target's network.
func (h *helper) run(ctx context.Context, target engine.Container, service string, cmd ...string) (engine.RunResult, error) {
	name := fmt.Sprintf("%s-fault-%s-%d", h.s.Lab.Config.Name, service, time.Now().UnixNano()%1e9)
	return engine.Run(ctx, h.s.Engine, engine.ContainerSpec{
		Name: name, Image: h.ref, Cmd: cmd,
		Labels:      map[string]string{engine.LabelHelper: h.s.Lab.Config.Name},
		NetworkMode: "container:" + target.ID,
		CapDrop:     []string{"ALL"}, CapAdd: []string{"NET_ADMIN"},
		SecurityOpt: []string{"no-new-privileges:true"}, ReadOnly: true,
	})
}

// nft applies an nft script.
func (h *helper) nft(ctx context.Context, target engine.Container, service, script string) error {
	res, err := h.run(ctx, target, service, "nft", script)
	if err != nil {
		return err
	}
	return res.Failed("nft in " + service + "'s network namespace")
}

// removeTable undoes a Loss fault; a table already gone (the node
// restarted since) is no error.
func (h *helper) removeTable(ctx context.Context, target engine.Container, service string) error {
	res, err := h.run(ctx, target, service, "nft", "delete table inet "+table)
	if err != nil {
		return err
	}
	if res.ExitCode != 0 && strings.Contains(res.Output, "No such file or directory") {
		return nil
	}
	return res.Failed("nft in " + service + "'s network namespace")
}

// NetemMissingError is a delay asked of a kernel without netem.
type NetemMissingError struct{ Output string }

func (e *NetemMissingError) Error() string {
	return fmt.Sprintf("--mode delay needs the kernel's netem qdisc, and the Docker host's kernel has none (CONFIG_NET_SCH_NETEM unset; tc says: %s); "+
		"use --mode sleep for a slow node, or --mode loss for a lossy link, or a kernel with netem (most have it, Docker Desktop's included)", e.Output)
}

// device finds the interface of addr in target's namespace (eth0 on the
// first network, another name after a reconnect).
func (h *helper) device(ctx context.Context, target engine.Container, service string, addr netip.Addr) (string, error) {
	res, err := h.run(ctx, target, service, "ip", "-o", "-4", "addr", "show")
	if err != nil {
		return "", err
	}
	if err := res.Failed("ip in " + service + "'s network namespace"); err != nil {
		return "", err
	}
	return deviceOf(res.Output, addr)
}

// deviceOf reads `ip -o -4 addr show`: "2: eth0    inet 172.28.1.10/24 ...".
func deviceOf(out string, addr netip.Addr) (string, error) {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= 4 && f[2] == "inet" && strings.HasPrefix(f[3], addr.String()+"/") {
			return strings.TrimSuffix(f[1], ":"), nil
		}
	}
	return "", fmt.Errorf("no interface has the address %s; is the node on the lab network?", addr)
}

// netem sets a delay on dev.
func (h *helper) netem(ctx context.Context, target engine.Container, service, dev string, delay, jitter time.Duration) error {
	cmd := []string{"tc", "qdisc", "replace", "dev", dev, "root", "netem", "delay", ms(delay)}
	if jitter > 0 {
		cmd = append(cmd, ms(jitter))
	}
	res, err := h.run(ctx, target, service, cmd...)
	if err != nil {
		return err
	}
	if res.ExitCode != 0 && strings.Contains(res.Output, "qdisc kind is unknown") {
		return &NetemMissingError{Output: res.Output}
	}
	return res.Failed("tc in " + service + "'s network namespace")
}

// removeNetem undoes a Delay fault; none left is no error.
func (h *helper) removeNetem(ctx context.Context, target engine.Container, service, dev string) error {
	res, err := h.run(ctx, target, service, "tc", "qdisc", "del", "dev", dev, "root")
	if err != nil {
		return err
	}
	if res.ExitCode != 0 && (strings.Contains(res.Output, "No such file") || strings.Contains(res.Output, "Cannot find")) {
		return nil
	}
	return res.Failed("tc in " + service + "'s network namespace")
}

func ms(d time.Duration) string { return fmt.Sprintf("%dms", d.Milliseconds()) }

// IsNetemMissing tells a delay refused for want of netem.
func IsNetemMissing(err error) bool {
	var e *NetemMissingError
	return errors.As(err, &e)
}
