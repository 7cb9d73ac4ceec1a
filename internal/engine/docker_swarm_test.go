package engine

import (
	"slices"
	"testing"
	"time"

	"github.com/moby/moby/api/types/swarm"
)

// The swarm form of a lab node: what the lab container has, with what a
// swarm needs instead (dnsrr, host-mode ports, no restart).
func TestServiceSpecKeepsTheContainersSecurityAndAddsWhatASwarmNeeds(t *testing.T) {
	stop := 10 * time.Second
	got := serviceSpec(ServiceSpec{
		Name: "a_master", Network: "a_lab", Aliases: []string{"master"}, Replicas: 1,
		Constraints: []string{"node.id==n1"}, Preferences: []string{"node.hostname"},
		Labels: map[string]string{LabelStackNamespace: "a"},
		Container: ContainerSpec{
			Image: "redis:7.2", Entrypoint: []string{"redis-server"}, Cmd: []string{"/data/redis.conf"},
			User: "1000:1000", ReadOnly: true, CapDrop: []string{"ALL"}, StopTimeout: &stop,
			Mounts: []Mount{{Source: "/lab/data/master/data", Target: "/data"}},
			Ports:  []Port{{HostIP: "127.0.0.1", HostPort: 7000, ContainerPort: 6379}},
		},
	})
	c := got.TaskTemplate.ContainerSpec
	if c.User != "1000:1000" || !c.ReadOnly || !slices.Equal(c.CapabilityDrop, []string{"ALL"}) ||
		!slices.Equal(c.Command, []string{"redis-server"}) || !slices.Equal(c.Args, []string{"/data/redis.conf"}) {
		t.Errorf("container spec %+v", c)
	}
	if len(c.Mounts) != 1 || c.Mounts[0].Source != "/lab/data/master/data" || c.Mounts[0].Type != "bind" {
		t.Errorf("mounts %+v", c.Mounts)
	}
	if got.EndpointSpec.Mode != swarm.ResolutionModeDNSRR || len(got.EndpointSpec.Ports) != 1 ||
		got.EndpointSpec.Ports[0].PublishMode != swarm.PortConfigPublishModeHost || got.EndpointSpec.Ports[0].PublishedPort != 7000 {
		t.Errorf("endpoint spec %+v", got.EndpointSpec)
	}
	if got.TaskTemplate.RestartPolicy.Condition != swarm.RestartPolicyConditionNone {
		t.Errorf("restart %+v; a killed node stays down until revive", got.TaskTemplate.RestartPolicy)
	}
	nets := got.TaskTemplate.Networks
	if len(nets) != 1 || nets[0].Target != "a_lab" || !slices.Equal(nets[0].Aliases, []string{"master"}) {
		t.Errorf("networks %+v", nets)
	}
	p := got.TaskTemplate.Placement
	if !slices.Equal(p.Constraints, []string{"node.id==n1"}) || len(p.Preferences) != 1 || p.Preferences[0].Spread.SpreadDescriptor != "node.hostname" {
		t.Errorf("placement %+v", p)
	}
	if r := got.Mode.Replicated; r == nil || *r.Replicas != 1 {
		t.Errorf("mode %+v", got.Mode)
	}
}
