package lab

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/sentinel-lab/sentinel-lab/internal/composefile"
	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
)

// rendered renders lab "alpha" in a new directory and loads its compose
// files, with override as compose/docker-compose.override.yml when not "".
func rendered(t *testing.T, override string) (*Lab, *types.Project) {
	t.Helper()
	dir := mkdir(t, newDir(t))
	l, err := Resolve(dir, loadConfig(t, dir, map[string]string{"subnet": "172.28.5.0/24"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Render(nil); err != nil {
		t.Fatal(err)
	}
	if override != "" {
		if err := os.WriteFile(dir.OverrideFile(), []byte(override), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return l, load(t, l)
}

func load(t *testing.T, l *Lab) *types.Project {
	t.Helper()
	p, err := composefile.Load(context.Background(), l.Dir, l.Config.Name, l.ComposeEnv())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func plans(t *testing.T, l *Lab, p *types.Project) map[string]ServicePlan {
	t.Helper()
	list, err := PlanServices(p, composefile.Files(l.Dir))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]ServicePlan{}
	for _, s := range list {
		out[s.Service] = s
	}
	return out
}

// Containers carry the labels docker compose gives its own, so
// `docker compose -p alpha ps/logs/down` sees the lab.
func TestContainerSpecsCarryTheComposeLabels(t *testing.T) {
	l, p := rendered(t, "")
	got := plans(t, l, p)

	if len(got) != len(l.Topology.Nodes) {
		t.Errorf("%d services planned, want %d", len(got), len(l.Topology.Nodes))
	}
	for _, n := range l.Topology.Nodes {
		s, ok := got[n.Service]
		if !ok {
			t.Errorf("no plan for %s", n.Service)
			continue
		}
		want := map[string]string{
			engine.LabelProject:     "alpha",
			engine.LabelService:     n.Service,
			engine.LabelNumber:      "1",
			engine.LabelOneoff:      "False",
			engine.LabelWorkingDir:  l.ComposeDir(),
			engine.LabelConfigFiles: l.Dir.ComposeFile(),
			engine.LabelRole:        string(n.Role),
			engine.LabelSpecHash:    s.Hash,
		}
		for k, v := range want {
			if s.Spec.Labels[k] != v {
				t.Errorf("%s: label %s = %q, want %q", n.Service, k, s.Spec.Labels[k], v)
			}
		}
		if s.Hash == "" {
			t.Errorf("%s: no spec hash", n.Service)
		}
		if s.Spec.Name != "alpha-"+n.Service+"-1" {
			t.Errorf("%s: container name %q, want compose's alpha-%s-1", n.Service, s.Spec.Name, n.Service)
		}
		if len(s.Spec.Endpoints) != 1 || s.Spec.Endpoints[0].Network != "alpha_lab" || s.Spec.Endpoints[0].IPv4 != n.Addr.Addr() ||
			!slices.Contains(s.Spec.Endpoints[0].Aliases, n.Service) {
			t.Errorf("%s: endpoints %+v, want alpha_lab at %v with alias %s", n.Service, s.Spec.Endpoints, n.Addr.Addr(), n.Service)
		}
		if len(s.Spec.Ports) != 1 || s.Spec.Ports[0].HostPort != uint16(n.HostPort) || s.Spec.Ports[0].ContainerPort != n.Addr.Port() ||
			s.Spec.Ports[0].HostIP != "127.0.0.1" {
			t.Errorf("%s: ports %+v, want 127.0.0.1:%d->%d", n.Service, s.Spec.Ports, n.HostPort, n.Addr.Port())
		}
		if s.Spec.User != "1000:1000" || !s.Spec.ReadOnly || !slices.Equal(s.Spec.CapDrop, []string{"ALL"}) {
			t.Errorf("%s: user %q read-only %v cap_drop %v, want 1000:1000, read-only, ALL dropped", n.Service, s.Spec.User, s.Spec.ReadOnly, s.Spec.CapDrop)
		}
		for _, env := range s.Spec.Env {
			if strings.Contains(env, l.Password) {
				t.Errorf("%s: the password is in the environment (%s)", n.Service, env)
			}
		}
		for _, arg := range append(s.Spec.Entrypoint, s.Spec.Cmd...) {
			if strings.Contains(arg, l.Password) {
				t.Errorf("%s: the password is on the command line", n.Service)
			}
		}
	}
}

func TestConfigFilesLabelListsTheOverride(t *testing.T) {
	l, p := rendered(t, "services:\n  app:\n    image: busybox\n    networks: [lab]\n")
	got := plans(t, l, p)
	want := l.Dir.ComposeFile() + "," + l.Dir.OverrideFile()
	for _, s := range []string{"master", "app"} {
		if v := got[s].Spec.Labels[engine.LabelConfigFiles]; v != want {
			t.Errorf("%s: config_files %q, want %q", s, v, want)
		}
	}
	if got["app"].Spec.Labels[engine.LabelProject] != "alpha" {
		t.Errorf("the override's service is not labelled as the lab's: %v", got["app"].Spec.Labels)
	}
}

// The hash is the same for the same files loaded again, ignores where the
// files are, and changes with anything that shapes the container.
func TestSpecHash(t *testing.T) {
	l, p := rendered(t, "")
	base := plans(t, l, p)
	again := plans(t, l, load(t, l))
	for s, plan := range base {
		if again[s].Hash != plan.Hash {
			t.Errorf("%s: hash %s, then %s for the same files", s, plan.Hash, again[s].Hash)
		}
	}
	moved, err := ContainerSpecFor(p, p.Services["master"], []string{"/elsewhere/docker-compose.yml"})
	if err != nil {
		t.Fatal(err)
	}
	if moved.Labels[engine.LabelSpecHash] != base["master"].Hash {
		t.Error("the hash depends on the config_files label, which only says where the files are")
	}

	changes := []struct {
		name   string
		change func(s *types.ServiceConfig)
	}{
		{"image", func(s *types.ServiceConfig) { s.Image = "redis:7.4" }},
		{"command", func(s *types.ServiceConfig) { s.Command = types.ShellCommand{"/data/other.conf"} }},
		{"environment", func(s *types.ServiceConfig) { v := "1"; s.Environment = types.MappingWithEquals{"EXTRA": &v} }},
		{"user", func(s *types.ServiceConfig) { s.User = "0:0" }},
		{"published port", func(s *types.ServiceConfig) { s.Ports[0].Published = "7000" }},
		{"address", func(s *types.ServiceConfig) {
			s.Networks = map[string]*types.ServiceNetworkConfig{"lab": {Ipv4Address: "172.28.5.99"}}
		}},
		{"mount", func(s *types.ServiceConfig) { s.Volumes[0].ReadOnly = true }},
		{"label", func(s *types.ServiceConfig) { s.Labels = types.Labels{"sentinel-lab.role": "replica"} }},
		{"stop grace period", func(s *types.ServiceConfig) { d := types.Duration(5 * time.Second); s.StopGracePeriod = &d }},
	}
	for _, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			p := load(t, l)
			s := p.Services["master"]
			c.change(&s)
			spec, err := ContainerSpecFor(p, s, composefile.Files(l.Dir))
			if err != nil {
				t.Fatal(err)
			}
			if spec.Labels[engine.LabelSpecHash] == base["master"].Hash {
				t.Errorf("changing the %s leaves the hash as it was", c.name)
			}
		})
	}
}

// Features up does not implement are named, service by service, rather than
// silently starting something else.
func TestUnsupportedComposeFeaturesAreNamed(t *testing.T) {
	// svc is service app with image busybox, changed by set.
	svc := func(set func(s *types.ServiceConfig)) types.ServiceConfig {
		s := types.ServiceConfig{Name: "app"}
		s.Image = "busybox"
		set(&s)
		return s
	}
	two := 2
	cases := []struct {
		name    string
		service types.ServiceConfig
		want    string
	}{
		{"build", svc(func(s *types.ServiceConfig) { s.Image, s.Build = "", &types.BuildConfig{Context: "."} }),
			"no image (build: is not supported"},
		{"network_mode", svc(func(s *types.ServiceConfig) { s.NetworkMode = "host" }), "network_mode"},
		{"privileged", svc(func(s *types.ServiceConfig) { s.Privileged = true }), "privileged"},
		{"devices", svc(func(s *types.ServiceConfig) {
			s.Devices = []types.DeviceMapping{{Source: "/dev/fuse", Target: "/dev/fuse"}}
		}), "devices"},
		{"secrets", svc(func(s *types.ServiceConfig) { s.Secrets = []types.ServiceSecretConfig{{Source: "pw"}} }), "secrets/configs"},
		{"configs", svc(func(s *types.ServiceConfig) { s.Configs = []types.ServiceConfigObjConfig{{Source: "c"}} }), "secrets/configs"},
		{"scale", svc(func(s *types.ServiceConfig) { s.Scale = &two }), "scale above 1"},
		{"named volume", svc(func(s *types.ServiceConfig) {
			s.Volumes = []types.ServiceVolumeConfig{{Type: types.VolumeTypeVolume, Source: "appdata", Target: "/var/lib/app"}}
		}), "a volume volume at /var/lib/app (only host folders are mounted)"},
		{"port range", svc(func(s *types.ServiceConfig) {
			s.Ports = []types.ServicePortConfig{{Target: 80, Published: "8000-8001"}}
		}), `published port "8000-8001" is not a single port number`},
		{"undefined network", svc(func(s *types.ServiceConfig) {
			s.Networks = map[string]*types.ServiceNetworkConfig{"nowhere": nil}
		}), `network "nowhere" is not defined`},
		{"bad address", svc(func(s *types.ServiceConfig) {
			s.Networks = map[string]*types.ServiceNetworkConfig{"lab": {Ipv4Address: "172.28.5"}}
		}), `ipv4_address "172.28.5"`},
	}
	p := &types.Project{Name: "alpha", Networks: types.Networks{"lab": {Name: "alpha_lab"}}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ContainerSpecFor(p, c.service, nil)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "service app: ") {
				t.Errorf("got %v, want service app named with %q", err, c.want)
			}
		})
	}
	ok := svc(func(s *types.ServiceConfig) {
		s.Volumes = []types.ServiceVolumeConfig{{Type: types.VolumeTypeBind, Source: "/srv", Target: "/srv"}}
	})
	if _, err := ContainerSpecFor(p, ok, nil); err != nil {
		t.Errorf("a plain service with a bind mount is refused: %v", err)
	}
}

// PlanServices reports every service that stands in the way, at once.
func TestPlanServicesListsEveryUnsupportedService(t *testing.T) {
	override := `services:
  app:
    image: busybox
    privileged: true
  tool:
    image: busybox
    network_mode: host
`
	l, p := rendered(t, override)
	_, err := PlanServices(p, composefile.Files(l.Dir))
	if err == nil {
		t.Fatal("PlanServices accepted privileged and network_mode services")
	}
	for _, want := range []string{"does not support", "service app: privileged", "service tool: network_mode"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestPlanNetworks(t *testing.T) {
	l, p := rendered(t, "networks:\n  shared:\n    external: true\n    name: corp-net\n")
	nets, err := PlanNetworks(p)
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]NetworkPlan{}
	for _, n := range nets {
		byKey[n.Key] = n
	}
	lab := byKey["lab"]
	if lab.External || lab.Spec.Name != "alpha_lab" || lab.Spec.Subnet != l.Topology.Subnet ||
		lab.Spec.Labels[engine.LabelProject] != "alpha" || lab.Spec.Labels[engine.LabelNetwork] != "lab" {
		t.Errorf("lab network %+v, want alpha_lab on %v labelled project alpha, network lab", lab, l.Topology.Subnet)
	}
	if shared := byKey["shared"]; !shared.External || shared.Spec.Name != "corp-net" {
		t.Errorf("shared network %+v, want the external corp-net", shared)
	}
}

func TestPlanActions(t *testing.T) {
	plan := func(service, hash string) ServicePlan { return ServicePlan{Service: service, Hash: hash} }
	running := func(hash, state string) engine.Container {
		return engine.Container{ID: "id", State: state, Labels: map[string]string{engine.LabelSpecHash: hash}}
	}
	cases := []struct {
		name     string
		existing engine.Container
		exists   bool
		want     actionKind // "" for nothing to do
	}{
		{"missing", engine.Container{}, false, actCreate},
		{"running, same spec", running("h1", engine.StateRunning), true, ""},
		{"running, changed spec", running("h0", engine.StateRunning), true, actRecreate},
		{"paused", running("h1", engine.StatePaused), true, actUnpause},
		{"paused, changed spec", running("h0", engine.StatePaused), true, actRecreate},
		{"exited", running("h1", engine.StateExited), true, actStart},
		{"created", running("h1", engine.StateCreated), true, actStart},
		{"exited, changed spec", running("h0", engine.StateExited), true, actRecreate},
		{"made by plain compose (no hash)", running("", engine.StateRunning), true, actRecreate},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			existing := map[string]engine.Container{}
			if c.exists {
				existing["master"] = c.existing
			}
			got := planActions([]ServicePlan{plan("master", "h1")}, existing)
			switch {
			case c.want == "" && len(got) != 0:
				t.Errorf("actions %+v, want none", got)
			case c.want != "" && (len(got) != 1 || got[0].kind != c.want):
				t.Errorf("actions %+v, want %s", got, c.want)
			case c.want != "" && c.want != actCreate && got[0].existing.ID != "id":
				t.Errorf("%s does not carry the existing container", c.want)
			}
		})
	}
	// Containers that are no service of the compose files are left alone.
	got := planActions([]ServicePlan{plan("master", "h1")}, map[string]engine.Container{
		"master": running("h1", engine.StateRunning), "old-node": running("x", engine.StateExited),
	})
	if len(got) != 0 {
		t.Errorf("actions %+v for a container of no service, want none", got)
	}
}

func TestCheckLabServices(t *testing.T) {
	dir := labdir.Dir{Root: "/labs/alpha"}
	l, err := Resolve(dir, loadConfig(t, dir, map[string]string{"subnet": "172.28.5.0/24"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	all := func(except ...string) []ServicePlan {
		var out []ServicePlan
		for _, s := range l.Topology.Services() {
			if !slices.Contains(except, s) {
				out = append(out, ServicePlan{Service: s})
			}
		}
		return out
	}
	if err := checkLabServices(l, append(all(), ServicePlan{Service: "app"})); err != nil {
		t.Errorf("every node plus a service of the user's: %v", err)
	}
	err = checkLabServices(l, all("node-2", "sentinel-1"))
	if err == nil || !strings.Contains(err.Error(), "compose/docker-compose.yml does not define node-2, sentinel-1") ||
		!strings.Contains(err.Error(), "sentinel-lab render") {
		t.Errorf("got %v, want node-2 and sentinel-1 named with the fix", err)
	}
}
