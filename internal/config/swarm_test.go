package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestSwarmSettings(t *testing.T) {
	c, err := load(t, Layers{Flags: map[string]string{
		"engine": "swarm", "placement": "master=node.hostname==box1,any", "node-host": "box2=ssh://me@box2, box3=tcp://box3:2376",
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Swarm() || c.Addressing != AddressingHostnames {
		t.Errorf("engine %q, addressing %q; want swarm, with hostnames by default", c.Engine, c.Addressing)
	}
	p, _ := ParsePlacement(c.Placement)
	if p.Mode != PlacementAny || !reflect.DeepEqual(p.Constraints, map[string][]string{"master": {"node.hostname==box1"}}) {
		t.Errorf("placement %+v", p)
	}
	hosts, _ := ParseNodeHosts(c.NodeHosts)
	if want := map[string]string{"box2": "ssh://me@box2", "box3": "tcp://box3:2376"}; !reflect.DeepEqual(hosts, want) {
		t.Errorf("node hosts %v, want %v", hosts, want)
	}
}

func TestSwarmSettingsRefused(t *testing.T) {
	for _, tc := range []struct {
		flags map[string]string
		want  []string
	}{
		{map[string]string{"engine": "kubernetes"}, []string{`engine "kubernetes" is not docker or swarm; use --engine docker`, "flag --engine"}},
		{map[string]string{"engine": "swarm", "placement": "master"}, []string{`"master" is not spread, any or SERVICE=CONSTRAINT`}},
		{map[string]string{"engine": "swarm", "node-host": "box2=http://box2"}, []string{`"http://box2" is not an ssh:// or tcp:// engine endpoint; use --node-host box2=ssh://me@box2`}},
		{map[string]string{"engine": "swarm", "node-host": "box2"}, []string{`node-host "box2" is not HOST=URL`}},
		{map[string]string{"engine": "swarm", "addressing": "ip"}, []string{"addressing ip needs static addresses, which a swarm does not give its services (moby#24170); use --addressing hostnames"}},
		{map[string]string{"placement": "any"}, []string{`placement "any" applies to a lab on a swarm only; add --engine swarm`}},
		{map[string]string{"node-host": "box2=tcp://box2:2376"}, []string{"node-host applies to a lab on a swarm only"}},
	} {
		_, err := load(t, Layers{Flags: tc.flags})
		if err == nil {
			t.Errorf("%v: accepted", tc.flags)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %q does not say %q", tc.flags, err, w)
			}
		}
	}
}
