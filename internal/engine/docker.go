package engine

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
)

// Docker is the Engine of a Docker daemon, reached through the Engine API
// with the API version negotiated (Debian's 20.10 speaks 1.41).
type Docker struct {
	c *client.Client
}

// NewDocker connects to the daemon named by DOCKER_HOST (and the other
// DOCKER_* variables), or the default socket. It does not talk to the
// daemon yet: call Ping.
func NewDocker() (*Docker, error) {
	c, err := client.New(client.FromEnv)
	if err != nil {
		return nil, fmt.Errorf("configuring the Docker client (check DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH): %w", err)
	}
	return &Docker{c: c}, nil
}

// Close releases the client's connections.
func (d *Docker) Close() error { return d.c.Close() }

// Ping checks the daemon answers, saying which of the usual causes it is
// when it does not.
func (d *Docker) Ping(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := d.c.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		return "", explainUnreachable(d.c.DaemonHost(), err)
	}
	v, err := d.c.ServerVersion(ctx, client.ServerVersionOptions{})
	if err != nil {
		return "", explainUnreachable(d.c.DaemonHost(), err)
	}
	return fmt.Sprintf("Docker Engine %s (API %s) at %s", v.Version, d.c.ClientVersion(), d.c.DaemonHost()), nil
}

// UnreachableError means no Docker daemon could be used.
type UnreachableError struct {
	Host   string
	Reason string
	Err    error
}

func (e *UnreachableError) Error() string { return e.Reason }
func (e *UnreachableError) Unwrap() error { return e.Err }

func explainUnreachable(host string, err error) error {
	where := host
	if env := os.Getenv("DOCKER_HOST"); env != "" {
		where = fmt.Sprintf("%s (from DOCKER_HOST)", env)
	}
	socket := strings.TrimPrefix(host, "unix://")
	var reason string
	// The client keeps only the message of some connection errors, so
	// both the wrapped error and the message are looked at.
	msg := err.Error()
	switch {
	case strings.Contains(msg, "TLS") || strings.Contains(msg, "x509"):
		reason = fmt.Sprintf("cannot use the Docker daemon at %s over TLS: %v; check DOCKER_TLS_VERIFY and DOCKER_CERT_PATH", where, err)
	case errors.Is(err, syscall.EACCES) || errors.Is(err, os.ErrPermission) || strings.Contains(msg, "permission denied"):
		reason = fmt.Sprintf("permission denied on the Docker socket %s: add yourself to the docker group (`sudo usermod -aG docker $USER`, then log in again) or run as root", socket)
	case errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) || client.IsErrConnectionFailed(err):
		reason = fmt.Sprintf("no Docker daemon answers at %s: start it (`sudo systemctl start docker`, or `dockerd &`)", where)
		if os.Getenv("DOCKER_HOST") != "" {
			reason += " or fix DOCKER_HOST"
		}
	case errors.Is(err, context.DeadlineExceeded):
		reason = fmt.Sprintf("the Docker daemon at %s did not answer within 10s; check that it is running and DOCKER_HOST is right", where)
	default:
		reason = fmt.Sprintf("cannot use the Docker daemon at %s: %v", where, err)
	}
	return &UnreachableError{Host: host, Reason: reason, Err: err}
}

// ImageExists tells whether ref is present locally.
func (d *Docker) ImageExists(ctx context.Context, ref string) (bool, error) {
	_, err := d.c.ImageInspect(ctx, ref)
	if cerrdefs.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("inspecting image %s: %w", ref, err)
	}
	return true, nil
}

// PullImage pulls ref, writing one line per progress message.
func (d *Docker) PullImage(ctx context.Context, ref string, progress io.Writer) error {
	resp, err := d.c.ImagePull(ctx, ref, client.ImagePullOptions{})
	if err != nil {
		return fmt.Errorf("pulling %s: %w", ref, err)
	}
	defer resp.Close()
	last := ""
	for msg, err := range resp.JSONMessages(ctx) {
		if err != nil {
			return fmt.Errorf("pulling %s: %w", ref, err)
		}
		if msg.Error != nil {
			return fmt.Errorf("pulling %s: %s", ref, msg.Error.Message)
		}
		line := strings.TrimSpace(msg.ID + " " + msg.Status)
		if msg.Progress == nil && line != last && progress != nil {
			fmt.Fprintln(progress, line)
			last = line
		}
	}
	return nil
}

// BuildImage builds tag from a tar build context (with a Dockerfile).
func (d *Docker) BuildImage(ctx context.Context, tag string, buildContext io.Reader, progress io.Writer) error {
	res, err := d.c.ImageBuild(ctx, buildContext, client.ImageBuildOptions{
		Tags: []string{tag}, Remove: true, ForceRemove: true,
		Labels: map[string]string{"org.opencontainers.image.description": "Redis built locally by sentinel-lab"},
	})
	if err != nil {
		return fmt.Errorf("building %s: %w", tag, err)
	}
	defer res.Body.Close()
	// The build streams JSON messages; an error arrives as one of them.
	dec := json.NewDecoder(res.Body)
	for {
		var msg jsonstream.Message
		if err := dec.Decode(&msg); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("building %s: reading the build output: %w", tag, err)
		}
		if msg.Error != nil {
			return fmt.Errorf("building %s: %s", tag, msg.Error.Message)
		}
		if line := strings.TrimSpace(msg.Stream); progress != nil && strings.HasPrefix(line, "Step ") {
			fmt.Fprintln(progress, line)
		}
	}
}

// Networks lists every network.
func (d *Docker) Networks(ctx context.Context) ([]Network, error) {
	res, err := d.c.NetworkList(ctx, client.NetworkListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing networks: %w", err)
	}
	var out []Network
	for _, n := range res.Items {
		nw := Network{ID: n.ID, Name: n.Name, Labels: n.Labels, Overlay: n.Driver == "overlay"}
		for _, c := range n.IPAM.Config {
			if !c.Subnet.IsValid() {
				continue
			}
			nw.Subnets = append(nw.Subnets, c.Subnet)
			if !nw.Gateway.IsValid() && n.Driver == "bridge" {
				nw.Gateway = c.Gateway
				if !nw.Gateway.IsValid() {
					// Engine 20.10 lists no gateway it chose itself: its
					// default IPAM gives the bridge the subnet's first address.
					nw.Gateway = c.Subnet.Masked().Addr().Next()
				}
			}
		}
		out = append(out, nw)
	}
	return out, nil
}

// CreateNetwork creates a bridge network with a fixed subnet, so containers
// can keep static addresses.
func (d *Docker) CreateNetwork(ctx context.Context, spec NetworkSpec) error {
	opts := client.NetworkCreateOptions{Driver: "bridge", Labels: spec.Labels}
	if spec.Overlay {
		opts.Driver, opts.Scope, opts.Attachable = "overlay", "swarm", true
	}
	if spec.Subnet.IsValid() {
		opts.IPAM = &network.IPAM{Config: []network.IPAMConfig{{Subnet: spec.Subnet}}}
	}
	_, err := d.c.NetworkCreate(ctx, spec.Name, opts)
	if err != nil {
		return fmt.Errorf("creating network %s (%s): %w", spec.Name, spec.Subnet, err)
	}
	return nil
}

// RemoveNetwork removes a network.
func (d *Docker) RemoveNetwork(ctx context.Context, name string) error {
	if _, err := d.c.NetworkRemove(ctx, name, client.NetworkRemoveOptions{}); err != nil && !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("removing network %s: %w", name, err)
	}
	return nil
}

// Connect attaches a container to a network, with its static address.
func (d *Docker) Connect(ctx context.Context, id string, ep Endpoint) error {
	_, err := d.c.NetworkConnect(ctx, ep.Network, client.NetworkConnectOptions{Container: id, EndpointConfig: endpointSettings(ep)})
	if err != nil {
		return fmt.Errorf("connecting %s to %s: %w", shortID(id), ep.Network, err)
	}
	return nil
}

// Disconnect detaches a container from a network.
func (d *Docker) Disconnect(ctx context.Context, id, nw string) error {
	if _, err := d.c.NetworkDisconnect(ctx, nw, client.NetworkDisconnectOptions{Container: id, Force: true}); err != nil {
		return fmt.Errorf("disconnecting %s from %s: %w", shortID(id), nw, err)
	}
	return nil
}

func endpointSettings(ep Endpoint) *network.EndpointSettings {
	s := &network.EndpointSettings{Aliases: ep.Aliases}
	if ep.IPv4.IsValid() {
		s.IPAMConfig = &network.EndpointIPAMConfig{IPv4Address: ep.IPv4}
	}
	return s
}

// Containers lists containers in any state carrying all of labels.
func (d *Docker) Containers(ctx context.Context, labels map[string]string) ([]Container, error) {
	f := make(client.Filters)
	for k, v := range labels {
		f.Add("label", k+"="+v)
	}
	res, err := d.c.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		return nil, fmt.Errorf("listing containers: %w", err)
	}
	var out []Container
	for _, s := range res.Items {
		c := Container{
			ID: s.ID, Image: s.Image, State: string(s.State), Labels: s.Labels,
			Service: s.Labels[LabelService], Addresses: map[string]netip.Addr{},
		}
		if len(s.Names) > 0 {
			c.Name = strings.TrimPrefix(s.Names[0], "/")
		}
		if s.NetworkSettings != nil {
			for name, ep := range s.NetworkSettings.Networks {
				if ep != nil {
					c.Addresses[name] = ep.IPAddress
				}
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// CreateContainer creates a container from spec.
func (d *Docker) CreateContainer(ctx context.Context, spec ContainerSpec) (string, error) {
	cfg, host, net, err := createArgs(spec)
	if err != nil {
		return "", err
	}
	res, err := d.c.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name: spec.Name, Config: cfg, HostConfig: host, NetworkingConfig: net,
	})
	if err != nil {
		return "", fmt.Errorf("creating container %s: %w", spec.Name, err)
	}
	return res.ID, nil
}

// createArgs translates a spec into the Engine API's create request.
func createArgs(spec ContainerSpec) (*container.Config, *container.HostConfig, *network.NetworkingConfig, error) {
	cfg := &container.Config{
		Image: spec.Image, Entrypoint: spec.Entrypoint, Cmd: spec.Cmd, Env: spec.Env,
		User: spec.User, WorkingDir: spec.WorkingDir, Hostname: spec.Hostname,
		Labels: spec.Labels, StopSignal: spec.StopSignal,
		ExposedPorts: network.PortSet{},
	}
	if spec.StopTimeout != nil {
		secs := int(spec.StopTimeout.Seconds())
		cfg.StopTimeout = &secs
	}
	host := &container.HostConfig{
		PortBindings:   network.PortMap{},
		RestartPolicy:  container.RestartPolicy{Name: container.RestartPolicyMode(orDefault(spec.Restart, "no"))},
		CapAdd:         spec.CapAdd,
		CapDrop:        spec.CapDrop,
		SecurityOpt:    spec.SecurityOpt,
		ReadonlyRootfs: spec.ReadOnly,
		Tmpfs:          spec.Tmpfs,
		Init:           spec.Init,
		ExtraHosts:     spec.ExtraHosts,
	}
	for _, m := range spec.Mounts {
		host.Mounts = append(host.Mounts, mount.Mount{Type: mount.TypeBind, Source: m.Source, Target: m.Target, ReadOnly: m.ReadOnly})
	}
	for _, p := range spec.Ports {
		port, err := network.ParsePort(fmt.Sprintf("%d/%s", p.ContainerPort, orDefault(p.Protocol, "tcp")))
		if err != nil {
			return nil, nil, nil, fmt.Errorf("container %s: port %d: %w", spec.Name, p.ContainerPort, err)
		}
		var hostIP netip.Addr
		if p.HostIP != "" {
			if hostIP, err = netip.ParseAddr(p.HostIP); err != nil {
				return nil, nil, nil, fmt.Errorf("container %s: host address %q: %w", spec.Name, p.HostIP, err)
			}
		}
		cfg.ExposedPorts[port] = struct{}{}
		host.PortBindings[port] = append(host.PortBindings[port], network.PortBinding{HostIP: hostIP, HostPort: strconv.Itoa(int(p.HostPort))})
	}
	net := &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{}}
	if spec.NetworkMode != "" {
		host.NetworkMode = container.NetworkMode(spec.NetworkMode)
		return cfg, host, net, nil
	}
	for i, ep := range spec.Endpoints {
		if i == 0 {
			host.NetworkMode = container.NetworkMode(ep.Network)
		}
		net.EndpointsConfig[ep.Network] = endpointSettings(ep)
	}
	return cfg, host, net, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Start starts a container.
func (d *Docker) Start(ctx context.Context, id string) error {
	if _, err := d.c.ContainerStart(ctx, id, client.ContainerStartOptions{}); err != nil {
		return fmt.Errorf("starting %s: %w", shortID(id), err)
	}
	return nil
}

// Kill sends a signal to a container.
func (d *Docker) Kill(ctx context.Context, id, signal string) error {
	if _, err := d.c.ContainerKill(ctx, id, client.ContainerKillOptions{Signal: signal}); err != nil {
		return fmt.Errorf("sending %s to %s: %w", signal, shortID(id), err)
	}
	return nil
}

// Stop stops a container, killing it after timeout.
func (d *Docker) Stop(ctx context.Context, id string, timeout time.Duration) error {
	secs := int(timeout.Seconds())
	if _, err := d.c.ContainerStop(ctx, id, client.ContainerStopOptions{Timeout: &secs}); err != nil {
		return fmt.Errorf("stopping %s: %w", shortID(id), err)
	}
	return nil
}

// Pause freezes a container.
func (d *Docker) Pause(ctx context.Context, id string) error {
	if _, err := d.c.ContainerPause(ctx, id, client.ContainerPauseOptions{}); err != nil {
		return fmt.Errorf("pausing %s: %w", shortID(id), err)
	}
	return nil
}

// Unpause thaws a container.
func (d *Docker) Unpause(ctx context.Context, id string) error {
	if _, err := d.c.ContainerUnpause(ctx, id, client.ContainerUnpauseOptions{}); err != nil {
		return fmt.Errorf("unpausing %s: %w", shortID(id), err)
	}
	return nil
}

// Remove removes a container, running or not.
func (d *Docker) Remove(ctx context.Context, id string) error {
	_, err := d.c.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: true})
	if err != nil && !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("removing %s: %w", shortID(id), err)
	}
	return nil
}

// Logs returns the last tail lines of a container's stdout and stderr.
func (d *Docker) Logs(ctx context.Context, id string, tail int) (string, error) {
	rc, err := d.c.ContainerLogs(ctx, id, client.ContainerLogsOptions{
		ShowStdout: true, ShowStderr: true, Tail: strconv.Itoa(tail),
	})
	if err != nil {
		return "", fmt.Errorf("reading the logs of %s: %w", shortID(id), err)
	}
	defer rc.Close()
	var buf bytes.Buffer
	if _, err := stdcopy.StdCopy(&buf, &buf, rc); err != nil {
		return buf.String(), err
	}
	return buf.String(), nil
}

// ReadFile reads one file out of a container through the archive endpoint.
func (d *Docker) ReadFile(ctx context.Context, id, path string) ([]byte, error) {
	res, err := d.c.CopyFromContainer(ctx, id, client.CopyFromContainerOptions{SourcePath: path})
	if err != nil {
		return nil, fmt.Errorf("reading %s from %s: %w", path, shortID(id), err)
	}
	defer res.Content.Close()
	tr := tar.NewReader(res.Content)
	for {
		h, err := tr.Next()
		if err != nil {
			return nil, fmt.Errorf("reading %s from %s: %w", path, shortID(id), err)
		}
		if h.Typeflag == tar.TypeReg {
			return io.ReadAll(tr)
		}
	}
}

// IsNotFound tells errors about something the engine does not have.
func IsNotFound(err error) bool { return cerrdefs.IsNotFound(err) }

func shortID(id string) string {
	if len(id) > 12 && !strings.ContainsAny(id, "-_") {
		return id[:12]
	}
	return id
}
