package composefile_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/composefile"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
	"github.com/sentinel-lab/sentinel-lab/internal/render"
	"github.com/sentinel-lab/sentinel-lab/internal/render/rendertest"
)

// Every rendering loads back with compose-go, through its .env, with one
// service per node, each with its two mounts, its published port and its
// static address.
func TestEveryRenderingLoads(t *testing.T) {
	for _, c := range rendertest.Cases {
		t.Run(c.Name, func(t *testing.T) {
			dir := labdir.Dir{Root: t.TempDir()}
			in := c.Input(t)
			if _, err := render.Render(dir, in); err != nil {
				t.Fatal(err)
			}
			p, err := composefile.Load(context.Background(), dir, "golden", nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Services) != len(in.Lab.Nodes) {
				t.Errorf("%d services, want %d", len(p.Services), len(in.Lab.Nodes))
			}
			for _, n := range in.Lab.Nodes {
				s, ok := p.Services[n.Service]
				if !ok {
					t.Errorf("service %s is missing", n.Service)
					continue
				}
				if s.Image != in.Config.Image {
					t.Errorf("%s: image %q, want %q", n.Service, s.Image, in.Config.Image)
				}
				if s.User != in.Config.User {
					t.Errorf("%s: user %q, want %q (from .env)", n.Service, s.User, in.Config.User)
				}
				mounts := map[string]string{}
				for _, v := range s.Volumes {
					mounts[v.Target] = v.Source
				}
				for target, source := range map[string]string{"/data": dir.NodeData(n.Service), "/logs": dir.NodeLogs(n.Service)} {
					if mounts[target] != source {
						t.Errorf("%s: %s mounted from %q, want %q", n.Service, target, mounts[target], source)
					}
				}
				if len(s.Ports) != 1 || s.Ports[0].Published != fmt.Sprint(n.HostPort) ||
					s.Ports[0].Target != uint32(n.Addr.Port()) || s.Ports[0].HostIP != in.Config.Bind {
					t.Errorf("%s: ports %+v, want %s:%d:%d", n.Service, s.Ports, in.Config.Bind, n.HostPort, n.Addr.Port())
				}
				if got := s.Networks["lab"].Ipv4Address; got != n.Addr.Addr().String() {
					t.Errorf("%s: address %q, want %s", n.Service, got, n.Addr.Addr())
				}
				if !s.ReadOnly || len(s.CapDrop) != 1 || s.CapDrop[0] != "ALL" {
					t.Errorf("%s: want a read-only root and all capabilities dropped, got read_only=%v cap_drop=%v", n.Service, s.ReadOnly, s.CapDrop)
				}
			}
			if got := p.Networks["lab"].Ipam.Config[0].Subnet; got != in.Lab.Subnet.String() {
				t.Errorf("subnet %q, want %s", got, in.Lab.Subnet)
			}
		})
	}
}

func TestOverrideFileAddsAService(t *testing.T) {
	dir := labdir.Dir{Root: t.TempDir()}
	if _, err := render.Render(dir, rendertest.Cases[0].Input(t)); err != nil {
		t.Fatal(err)
	}
	override := "services:\n  app:\n    image: busybox\n    networks: [lab]\n"
	if err := os.WriteFile(dir.OverrideFile(), []byte(override), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := composefile.Load(context.Background(), dir, "golden", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Services["app"]; !ok || len(p.Services) != 7 {
		t.Errorf("services %v, want the six nodes and app", p.ServiceNames())
	}
}

// Values sentinel-lab resolved win over a stale shell variable.
func TestResolvedEnvironmentWinsOverTheShell(t *testing.T) {
	dir := labdir.Dir{Root: t.TempDir()}
	if _, err := render.Render(dir, rendertest.Cases[0].Input(t)); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SENTINEL_LAB_IMAGE", "stale:1")
	p, err := composefile.Load(context.Background(), dir, "golden", map[string]string{"SENTINEL_LAB_IMAGE": "local/redis:7"})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Services["master"].Image; got != "local/redis:7" {
		t.Errorf("image %q, want local/redis:7", got)
	}
}

func TestBrokenComposeFileNamesFileAndLine(t *testing.T) {
	dir := labdir.Dir{Root: t.TempDir()}
	if _, err := render.Render(dir, rendertest.Cases[0].Input(t)); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(dir.ComposeFile())
	broken := strings.Replace(string(b), "    command:", "   command: [unclosed", 1)
	os.WriteFile(dir.ComposeFile(), []byte(broken), 0o644)
	_, err := composefile.Load(context.Background(), dir, "golden", nil)
	if err == nil {
		t.Fatal("a broken compose file loaded")
	}
	if !strings.Contains(err.Error(), "docker-compose.yml") || !strings.Contains(err.Error(), "line") {
		t.Errorf("error does not name the file and line: %v", err)
	}
}

func TestMissingComposeFileSaysHowToCreateIt(t *testing.T) {
	_, err := composefile.Load(context.Background(), labdir.Dir{Root: t.TempDir()}, "x", nil)
	if err == nil || !strings.Contains(err.Error(), "sentinel-lab up") {
		t.Errorf("got %v", err)
	}
}
