package lab

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
)

// NetworkPlan is a network of the compose project that `up` makes sure of.
type NetworkPlan struct {
	// Key is the network's name in the compose file ("lab").
	Key  string
	Spec engine.NetworkSpec
	// External networks must exist already; sentinel-lab never creates or
	// removes them.
	External bool
}

// ServicePlan is one container `up` makes sure of.
type ServicePlan struct {
	Service string
	Spec    engine.ContainerSpec
	// Hash identifies the spec, so a changed service is recreated.
	Hash string
}

// ProjectLabels are the labels every container and network of a lab carries.
func ProjectLabels(project string) map[string]string {
	return map[string]string{engine.LabelProject: project}
}

// PlanNetworks lists the project's networks with the labels compose gives
// them.
func PlanNetworks(p *types.Project) ([]NetworkPlan, error) {
	var out []NetworkPlan
	for _, key := range sortedKeys(p.Networks) {
		n := p.Networks[key]
		plan := NetworkPlan{Key: key, External: bool(n.External)}
		plan.Spec = engine.NetworkSpec{Name: n.Name, Labels: map[string]string{
			engine.LabelProject: p.Name, engine.LabelNetwork: key,
		}}
		for k, v := range n.Labels {
			plan.Spec.Labels[k] = v
		}
		if len(n.Ipam.Config) > 0 && n.Ipam.Config[0].Subnet != "" {
			subnet, err := netip.ParsePrefix(n.Ipam.Config[0].Subnet)
			if err != nil {
				return nil, fmt.Errorf("network %s: subnet %q: %w", key, n.Ipam.Config[0].Subnet, err)
			}
			plan.Spec.Subnet = subnet
		}
		out = append(out, plan)
	}
	return out, nil
}

// PlanServices turns every service of the compose project into the
// container `up` creates for it, or says which compose feature stands in
// the way.
func PlanServices(p *types.Project, configFiles []string) ([]ServicePlan, error) {
	var out []ServicePlan
	var problems []string
	for _, name := range p.ServiceNames() {
		spec, err := ContainerSpecFor(p, p.Services[name], configFiles)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		out = append(out, ServicePlan{Service: name, Spec: spec, Hash: spec.Labels[engine.LabelSpecHash]})
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("the compose files use what sentinel-lab up does not support (plain `docker compose up` does):\n  - %s",
			strings.Join(problems, "\n  - "))
	}
	return out, nil
}

// ContainerSpecFor builds the container of one compose service, labelled
// the way docker compose labels its own so `docker compose -p <lab>` sees it.
func ContainerSpecFor(p *types.Project, s types.ServiceConfig, configFiles []string) (engine.ContainerSpec, error) {
	if err := unsupported(s); err != nil {
		return engine.ContainerSpec{}, err
	}
	spec := engine.ContainerSpec{
		Name:        s.ContainerName,
		Image:       s.Image,
		Entrypoint:  s.Entrypoint,
		Cmd:         s.Command,
		User:        s.User,
		WorkingDir:  s.WorkingDir,
		Hostname:    s.Hostname,
		ReadOnly:    s.ReadOnly,
		CapAdd:      s.CapAdd,
		CapDrop:     s.CapDrop,
		SecurityOpt: s.SecurityOpt,
		Restart:     s.Restart,
		StopSignal:  s.StopSignal,
		Init:        s.Init,
		Labels:      map[string]string{},
	}
	if spec.Name == "" {
		spec.Name = fmt.Sprintf("%s-%s-1", p.Name, s.Name)
	}
	if s.StopGracePeriod != nil {
		d := time.Duration(*s.StopGracePeriod)
		spec.StopTimeout = &d
	}
	for _, k := range sortedKeys(s.Environment) {
		if v := s.Environment[k]; v != nil {
			spec.Env = append(spec.Env, k+"="+*v)
		}
	}
	for _, v := range s.Volumes {
		spec.Mounts = append(spec.Mounts, engine.Mount{Source: v.Source, Target: v.Target, ReadOnly: v.ReadOnly})
	}
	for _, t := range s.Tmpfs {
		if spec.Tmpfs == nil {
			spec.Tmpfs = map[string]string{}
		}
		path, opts, _ := strings.Cut(t, ":")
		spec.Tmpfs[path] = opts
	}
	if len(s.ExtraHosts) > 0 {
		spec.ExtraHosts = s.ExtraHosts.AsList(":")
		sort.Strings(spec.ExtraHosts) // a map in compose-go: a stable hash
	}
	var err error
	if spec.Ports, err = portsOf(s); err != nil {
		return spec, err
	}
	if spec.Endpoints, err = endpointsOf(p, s); err != nil {
		return spec, err
	}
	for k, v := range s.Labels {
		spec.Labels[k] = v
	}
	// The hash covers the spec before the labels that merely describe where
	// it came from.
	spec.Labels[engine.LabelSpecHash] = specHash(spec)
	spec.Labels[engine.LabelProject] = p.Name
	spec.Labels[engine.LabelService] = s.Name
	spec.Labels[engine.LabelNumber] = "1"
	spec.Labels[engine.LabelOneoff] = "False"
	spec.Labels[engine.LabelWorkingDir] = p.WorkingDir
	spec.Labels[engine.LabelConfigFiles] = strings.Join(configFiles, ",")
	return spec, nil
}

// portsOf are a service's published ports, each with its host port.
func portsOf(s types.ServiceConfig) ([]engine.Port, error) {
	var out []engine.Port
	for _, port := range s.Ports {
		if port.Published == "" {
			return nil, fmt.Errorf("service %s: container port %d has no host port; write it as \"HOST:%d\"", s.Name, port.Target, port.Target)
		}
		hostPort, err := strconv.ParseUint(port.Published, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("service %s: published port %q is not a single port number", s.Name, port.Published)
		}
		out = append(out, engine.Port{
			HostIP: port.HostIP, HostPort: uint16(hostPort), ContainerPort: uint16(port.Target), Protocol: port.Protocol,
		})
	}
	return out, nil
}

// endpointsOf are a service's networks, with its aliases and static
// address on each.
func endpointsOf(p *types.Project, s types.ServiceConfig) ([]engine.Endpoint, error) {
	var out []engine.Endpoint
	for _, key := range sortedKeys(s.Networks) {
		nw, ok := p.Networks[key]
		if !ok {
			return nil, fmt.Errorf("service %s: network %q is not defined", s.Name, key)
		}
		ep := engine.Endpoint{Network: nw.Name, Aliases: []string{s.Name}}
		if cfg := s.Networks[key]; cfg != nil {
			ep.Aliases = append(ep.Aliases, cfg.Aliases...)
			if cfg.Ipv4Address != "" {
				ip, err := netip.ParseAddr(cfg.Ipv4Address)
				if err != nil {
					return nil, fmt.Errorf("service %s: ipv4_address %q: %w", s.Name, cfg.Ipv4Address, err)
				}
				ep.IPv4 = ip
			}
		}
		out = append(out, ep)
	}
	return out, nil
}

// unsupported names the compose features of a service that `up` does not
// implement, rather than silently starting something else.
func unsupported(s types.ServiceConfig) error {
	var what []string
	if s.Image == "" {
		what = append(what, "no image (build: is not supported; build the image and name it with image:)")
	}
	if s.NetworkMode != "" {
		what = append(what, "network_mode")
	}
	if s.Privileged {
		what = append(what, "privileged")
	}
	if len(s.Devices) > 0 {
		what = append(what, "devices")
	}
	if len(s.Secrets) > 0 || len(s.Configs) > 0 {
		what = append(what, "secrets/configs")
	}
	if s.Scale != nil && *s.Scale > 1 {
		what = append(what, "scale above 1")
	}
	// Settings that change how a container runs: starting it without them
	// would quietly run something else than the file says.
	for key, set := range map[string]bool{
		"mem_limit": s.MemLimit != 0, "mem_reservation": s.MemReservation != 0, "cpus": s.CPUS != 0,
		"cpuset": s.CPUSet != "", "cpu_shares": s.CPUShares != 0, "ulimits": len(s.Ulimits) > 0,
		"dns": len(s.DNS) > 0, "dns_search": len(s.DNSSearch) > 0,
		"sysctls": len(s.Sysctls) > 0, "shm_size": s.ShmSize != 0, "pids_limit": s.PidsLimit != 0,
		"volumes_from": len(s.VolumesFrom) > 0, "links": len(s.Links) > 0, "pid": s.Pid != "", "ipc": s.Ipc != "",
		"runtime": s.Runtime != "", "cgroup_parent": s.CgroupParent != "", "group_add": len(s.GroupAdd) > 0,
		"userns_mode": s.UserNSMode != "", "logging": s.Logging != nil, "tty": s.Tty, "stdin_open": s.StdinOpen,
	} {
		if set {
			what = append(what, key)
		}
	}
	sort.Strings(what)
	for _, v := range s.Volumes {
		if v.Type != types.VolumeTypeBind {
			what = append(what, fmt.Sprintf("a %s volume at %s (only host folders are mounted)", v.Type, v.Target))
		}
	}
	if len(what) == 0 {
		return nil
	}
	return fmt.Errorf("service %s: %s", s.Name, strings.Join(what, ", "))
}

func specHash(spec engine.ContainerSpec) string {
	b, _ := json.Marshal(spec) // maps marshal with sorted keys
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
