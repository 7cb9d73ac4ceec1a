package config

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// The engines a lab runs on.
const (
	EngineDocker = "docker"
	EngineSwarm  = "swarm"
)

// The placements that are not a list of constraints.
const (
	// PlacementSpread keeps the sentinels on different hosts, and the
	// master off its replicas' hosts, as long as there are hosts enough.
	PlacementSpread = "spread"
	// PlacementAny leaves every node where the swarm puts it.
	PlacementAny = "any"
)

// Placement is a parsed placement: a mode, plus constraints of the
// services named.
type Placement struct {
	// Mode is PlacementSpread or PlacementAny for the services that have
	// no constraint of their own.
	Mode string
	// Constraints are swarm constraints by service ("node.hostname==box1").
	Constraints map[string][]string
}

// ParsePlacement reads "spread", "any" or "SERVICE=CONSTRAINT,..." (one
// entry per constraint; a service may be named several times, and "spread"
// or "any" among them sets what the other services get).
func ParsePlacement(raw string) (Placement, error) {
	p := Placement{Mode: PlacementSpread, Constraints: map[string][]string{}}
	for _, item := range strings.Split(raw, ",") {
		item = strings.TrimSpace(item)
		switch {
		case item == "":
			continue
		case item == PlacementSpread || item == PlacementAny:
			p.Mode = item
			continue
		}
		service, constraint, ok := strings.Cut(item, "=")
		service, constraint = strings.TrimSpace(service), strings.TrimSpace(constraint)
		if !ok || service == "" || !strings.ContainsAny(constraint, "=!") {
			return p, fmt.Errorf("placement %q: %q is not spread, any or SERVICE=CONSTRAINT (e.g. master=node.hostname==box1 or sentinel-1=node.labels.zone!=a)", raw, item)
		}
		p.Constraints[service] = append(p.Constraints[service], constraint)
	}
	return p, nil
}

// Services are the services the placement names, sorted.
func (p Placement) Services() []string {
	var out []string
	for s := range p.Constraints {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// ParseNodeHosts reads "HOST=URL,...": a swarm host's name (its hostname
// as `docker node ls` shows it) and its engine's endpoint.
func ParseNodeHosts(raw string) (map[string]string, error) {
	out := map[string]string{}
	for _, item := range strings.Split(raw, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		host, endpoint, ok := strings.Cut(item, "=")
		if !ok || strings.TrimSpace(host) == "" {
			return nil, fmt.Errorf("node-host %q is not HOST=URL; use --node-host box2=ssh://me@box2 (or tcp://box2:2376)", item)
		}
		u, err := url.Parse(strings.TrimSpace(endpoint))
		if err != nil || (u.Scheme != "ssh" && u.Scheme != "tcp") || u.Host == "" {
			return nil, fmt.Errorf("node-host %s: %q is not an ssh:// or tcp:// engine endpoint; use --node-host %s=ssh://me@%s", host, endpoint, host, host)
		}
		out[strings.TrimSpace(host)] = u.String()
	}
	return out, nil
}

// validateSwarm checks the engine and the swarm settings; placement and
// node hosts set for a lab of containers are refused rather than ignored.
func validateSwarm(c *Config) []string {
	var p []string
	bad := func(key, format string, args ...any) {
		p = append(p, fmt.Sprintf("%s (%s)", fmt.Sprintf(format, args...), c.Sources[key]))
	}
	if c.Engine != EngineDocker && c.Engine != EngineSwarm {
		bad("engine", "engine %q is not docker or swarm; use --engine docker (containers) or --engine swarm", c.Engine)
	}
	if _, err := ParsePlacement(c.Placement); err != nil {
		bad("placement", "%v", err)
	}
	if _, err := ParseNodeHosts(c.NodeHosts); err != nil {
		bad("node-hosts", "%v", err)
	}
	if c.Engine == EngineSwarm && c.Addressing == AddressingIP {
		bad("addressing", "addressing ip needs static addresses, which a swarm does not give its services (moby#24170); use --addressing hostnames (or host) with --engine swarm")
	}
	if c.Engine == EngineDocker {
		if c.Placement != PlacementSpread && c.Sources["placement"].Kind != FromDefault {
			bad("placement", "placement %q applies to a lab on a swarm only; add --engine swarm or drop it", c.Placement)
		}
		if c.NodeHosts != "" {
			bad("node-hosts", "node-host applies to a lab on a swarm only; add --engine swarm or drop it")
		}
	}
	return p
}

// Swarm tells a lab that runs as swarm services.
func (c *Config) Swarm() bool { return c.Engine == EngineSwarm }
