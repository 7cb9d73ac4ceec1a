package engine

import (
	"context"
	"fmt"
	"sort"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"
)

// SwarmInfo reads the engine's swarm state from docker info.
func (d *Docker) SwarmInfo(ctx context.Context) (SwarmInfo, error) {
	res, err := d.c.Info(ctx, client.InfoOptions{})
	if err != nil {
		return SwarmInfo{}, fmt.Errorf("asking the engine about its swarm: %w", err)
	}
	sw := res.Info.Swarm
	return SwarmInfo{
		State: string(sw.LocalNodeState), Manager: sw.ControlAvailable, NodeID: sw.NodeID, Nodes: sw.Nodes,
	}, nil
}

// SwarmNodes lists the swarm's hosts.
func (d *Docker) SwarmNodes(ctx context.Context) ([]SwarmNode, error) {
	res, err := d.c.NodeList(ctx, client.NodeListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing the swarm's nodes: %w", err)
	}
	var out []SwarmNode
	for _, n := range res.Items {
		out = append(out, SwarmNode{
			ID: n.ID, Hostname: n.Description.Hostname, Manager: n.ManagerStatus != nil,
			Ready: n.Status.State == swarm.NodeStateReady && n.Spec.Availability == swarm.NodeAvailabilityActive,
			Addr:  n.Status.Addr,
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Hostname < out[j].Hostname })
	return out, nil
}

// CreateService creates a service of spec.Replicas tasks (one, or none).
func (d *Docker) CreateService(ctx context.Context, spec ServiceSpec) (string, error) {
	res, err := d.c.ServiceCreate(ctx, client.ServiceCreateOptions{Spec: serviceSpec(spec)})
	if err != nil {
		return "", fmt.Errorf("creating service %s: %w", spec.Name, err)
	}
	return res.ID, nil
}

// serviceSpec is the swarm's form of spec: the task container as close to
// a lab container as a swarm allows (no static address, no restart: a
// killed node stays down until revive, as with containers).
func serviceSpec(spec ServiceSpec) swarm.ServiceSpec {
	c := spec.Container
	cs := &swarm.ContainerSpec{
		Image: c.Image, Labels: c.Labels, Command: c.Entrypoint, Args: c.Cmd, Hostname: c.Hostname,
		Env: c.Env, Dir: c.WorkingDir, User: c.User, Init: c.Init, StopSignal: c.StopSignal,
		ReadOnly: c.ReadOnly, StopGracePeriod: c.StopTimeout,
		CapabilityAdd: c.CapAdd, CapabilityDrop: c.CapDrop,
	}
	if len(spec.DNSOptions) > 0 {
		cs.DNSConfig = &swarm.DNSConfig{Options: spec.DNSOptions}
	}
	for _, m := range c.Mounts {
		cs.Mounts = append(cs.Mounts, mount.Mount{Type: mount.TypeBind, Source: m.Source, Target: m.Target, ReadOnly: m.ReadOnly})
	}
	for path := range c.Tmpfs {
		cs.Mounts = append(cs.Mounts, mount.Mount{Type: mount.TypeTmpfs, Target: path})
	}
	replicas := spec.Replicas
	out := swarm.ServiceSpec{
		Annotations: swarm.Annotations{Name: spec.Name, Labels: spec.Labels},
		TaskTemplate: swarm.TaskSpec{
			ContainerSpec: cs,
			RestartPolicy: &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionNone},
			Placement:     &swarm.Placement{Constraints: spec.Constraints},
			Networks:      []swarm.NetworkAttachmentConfig{{Target: spec.Network, Aliases: spec.Aliases}},
		},
		Mode:         swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &replicas}},
		EndpointSpec: &swarm.EndpointSpec{Mode: swarm.ResolutionModeDNSRR},
	}
	for _, p := range spec.Preferences {
		out.TaskTemplate.Placement.Preferences = append(out.TaskTemplate.Placement.Preferences,
			swarm.PlacementPreference{Spread: &swarm.SpreadOver{SpreadDescriptor: p}})
	}
	for _, p := range c.Ports {
		// Host mode: the ingress routing mesh needs a VIP, which dnsrr has
		// not; the port opens on the host the task runs on.
		out.EndpointSpec.Ports = append(out.EndpointSpec.Ports, swarm.PortConfig{
			Protocol: network.IPProtocol(orDefault(p.Protocol, "tcp")), TargetPort: uint32(p.ContainerPort),
			PublishedPort: uint32(p.HostPort), PublishMode: swarm.PortConfigPublishModeHost,
		})
	}
	return out
}

// Services lists the services carrying all of labels.
func (d *Docker) Services(ctx context.Context, labels map[string]string) ([]Service, error) {
	f := make(client.Filters)
	for k, v := range labels {
		f.Add("label", k+"="+v)
	}
	res, err := d.c.ServiceList(ctx, client.ServiceListOptions{Filters: f})
	if err != nil {
		return nil, fmt.Errorf("listing services: %w", err)
	}
	var out []Service
	for _, s := range res.Items {
		sv := Service{ID: s.ID, Name: s.Spec.Name, Labels: s.Spec.Labels}
		if r := s.Spec.Mode.Replicated; r != nil && r.Replicas != nil {
			sv.Replicas = *r.Replicas
		}
		out = append(out, sv)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// ScaleService sets the number of tasks of a service.
func (d *Docker) ScaleService(ctx context.Context, id string, replicas uint64) error {
	return d.updateService(ctx, id, func(s *swarm.ServiceSpec) {
		s.Mode.Replicated = &swarm.ReplicatedService{Replicas: &replicas}
	})
}

// RestartService forces a new task (docker service update --force).
func (d *Docker) RestartService(ctx context.Context, id string) error {
	return d.updateService(ctx, id, func(s *swarm.ServiceSpec) { s.TaskTemplate.ForceUpdate++ })
}

func (d *Docker) updateService(ctx context.Context, id string, change func(*swarm.ServiceSpec)) error {
	got, err := d.c.ServiceInspect(ctx, id, client.ServiceInspectOptions{})
	if err != nil {
		return fmt.Errorf("inspecting service %s: %w", id, err)
	}
	spec := got.Service.Spec
	change(&spec)
	if _, err := d.c.ServiceUpdate(ctx, id, client.ServiceUpdateOptions{Version: got.Service.Version, Spec: spec}); err != nil {
		return fmt.Errorf("updating service %s: %w", spec.Name, err)
	}
	return nil
}

// RemoveService removes a service; a missing one is not an error.
func (d *Docker) RemoveService(ctx context.Context, id string) error {
	if _, err := d.c.ServiceRemove(ctx, id, client.ServiceRemoveOptions{}); err != nil && !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("removing service %s: %w", id, err)
	}
	return nil
}

// Tasks lists a service's tasks, newest first.
func (d *Docker) Tasks(ctx context.Context, serviceID string) ([]Task, error) {
	f := make(client.Filters)
	f.Add("service", serviceID)
	res, err := d.c.TaskList(ctx, client.TaskListOptions{Filters: f})
	if err != nil {
		return nil, fmt.Errorf("listing the tasks of service %s: %w", serviceID, err)
	}
	sort.Slice(res.Items, func(i, j int) bool { return res.Items[i].CreatedAt.After(res.Items[j].CreatedAt) })
	var out []Task
	for _, t := range res.Items {
		task := Task{
			ID: t.ID, ServiceID: t.ServiceID, NodeID: t.NodeID, State: string(t.Status.State),
			DesiredState: string(t.DesiredState), Err: t.Status.Err,
		}
		if cs := t.Status.ContainerStatus; cs != nil {
			task.ContainerID = cs.ContainerID
		}
		out = append(out, task)
	}
	return out, nil
}
