package enginetest

import (
	"context"
	"fmt"
	"maps"
	"net/netip"
	"slices"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
)

// Networks lists the networks, sorted by name.
func (f *Fake) Networks(context.Context) ([]engine.Network, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin("Networks", ""); err != nil {
		return nil, err
	}
	var out []engine.Network
	for _, name := range slices.Sorted(maps.Keys(f.networks)) {
		n := *f.networks[name]
		n.Labels = maps.Clone(n.Labels)
		n.Subnets = slices.Clone(n.Subnets)
		out = append(out, n)
	}
	return out, nil
}

// AddNetwork adds a network that is not the lab's, such as another
// project's or the default bridge.
func (f *Fake) AddNetwork(n engine.Network) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if n.ID == "" {
		n.ID = "net-" + n.Name
	}
	f.networks[n.Name] = &n
}

// CreateNetwork creates a network; like Docker, it refuses a name in use.
func (f *Fake) CreateNetwork(_ context.Context, spec engine.NetworkSpec) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin("CreateNetwork", spec.Name); err != nil {
		return err
	}
	if _, ok := f.networks[spec.Name]; ok {
		return fmt.Errorf("network with name %s already exists", spec.Name)
	}
	f.nextNet++
	n := &engine.Network{ID: fmt.Sprintf("net-%s-%d", spec.Name, f.nextNet), Name: spec.Name, Labels: maps.Clone(spec.Labels), Overlay: spec.Overlay}
	if spec.Subnet.IsValid() {
		n.Subnets = []netip.Prefix{spec.Subnet}
		n.Gateway = spec.Subnet.Masked().Addr().Next()
	}
	f.networks[spec.Name] = n
	return nil
}

// RemoveNetwork removes a network by name or id; a missing one is not an
// error (as with Docker), one with running or paused containers attached
// is (stopped ones do not hold it, as with Docker).
func (f *Fake) RemoveNetwork(_ context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin("RemoveNetwork", name); err != nil {
		return err
	}
	for key, n := range f.networks {
		if n.Name != name && n.ID != name {
			continue
		}
		for _, c := range f.containers {
			if _, on := c.Addresses[n.Name]; on && (c.State == engine.StateRunning || c.State == engine.StatePaused) {
				return fmt.Errorf("network %s has active endpoints (%s)", n.Name, c.Name)
			}
		}
		delete(f.networks, key)
	}
	return nil
}

// Connect attaches a container to an existing network.
func (f *Fake) Connect(_ context.Context, id string, ep engine.Endpoint) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.lookup("Connect", id)
	if err != nil {
		return err
	}
	n, ok := f.networks[ep.Network]
	if !ok {
		return fmt.Errorf("network %s not found", ep.Network)
	}
	c.Addresses[ep.Network] = ep.IPv4
	if c.netIDs == nil {
		c.netIDs = map[string]string{}
	}
	c.netIDs[ep.Network] = n.ID
	f.changed(c, false)
	return nil
}

// Disconnect detaches a container from a network.
func (f *Fake) Disconnect(_ context.Context, id, network string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.lookup("Disconnect", id)
	if err != nil {
		return err
	}
	delete(c.Addresses, network)
	delete(c.netIDs, network)
	f.changed(c, false)
	return nil
}
