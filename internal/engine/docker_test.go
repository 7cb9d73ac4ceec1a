package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
)

// Each way of not reaching Docker is told apart in one line with its fix.
func TestExplainUnreachable(t *testing.T) {
	os.Unsetenv("DOCKER_HOST")
	cases := []struct {
		name string
		err  error
		want []string
	}{
		{"permission, wrapped", fmt.Errorf("dial: %w", syscall.EACCES),
			[]string{"permission denied on the Docker socket /var/run/docker.sock", "docker group"}},
		{"permission, message only", errors.New("permission denied while trying to connect to the docker API at unix:///var/run/docker.sock"),
			[]string{"permission denied on the Docker socket", "usermod -aG docker"}},
		{"no socket", fmt.Errorf("dial: %w", syscall.ENOENT),
			[]string{"no Docker daemon answers at unix:///var/run/docker.sock", "start it"}},
		{"refused", fmt.Errorf("dial: %w", syscall.ECONNREFUSED), []string{"no Docker daemon answers"}},
		{"timeout", context.DeadlineExceeded, []string{"did not answer within 10s"}},
		{"tls", errors.New("remote error: tls: bad certificate (TLS)"), []string{"over TLS", "DOCKER_CERT_PATH"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := explainUnreachable("unix:///var/run/docker.sock", c.err)
			var ue *UnreachableError
			if !errors.As(err, &ue) || !errors.Is(err, c.err) {
				t.Fatalf("got %v, want an UnreachableError wrapping the cause", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("want one line: %q", err)
			}
		})
	}
	t.Setenv("DOCKER_HOST", "tcp://10.0.0.9:2375")
	if err := explainUnreachable("tcp://10.0.0.9:2375", syscall.ECONNREFUSED); !strings.Contains(err.Error(), "(from DOCKER_HOST)") ||
		!strings.Contains(err.Error(), "fix DOCKER_HOST") {
		t.Errorf("DOCKER_HOST not named: %v", err)
	}
}

// A helper shares its target's network namespace and has no endpoints of
// its own.
func TestCreateArgsNetworkMode(t *testing.T) {
	_, host, net, err := createArgs(ContainerSpec{
		Name: "h", Image: "i", NetworkMode: "container:abc", CapAdd: []string{"NET_ADMIN"}, CapDrop: []string{"ALL"},
		Endpoints: []Endpoint{{Network: "ignored"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if string(host.NetworkMode) != "container:abc" || len(net.EndpointsConfig) != 0 || host.CapAdd[0] != "NET_ADMIN" {
		t.Errorf("network mode %q, endpoints %v, caps %v", host.NetworkMode, net.EndpointsConfig, host.CapAdd)
	}
}
