package lab

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
)

// DownOptions tune `down`.
type DownOptions struct {
	// Volumes also deletes the lab's data folders (data/<node>).
	Volumes bool
}

// DownResult says what `down` removed.
type DownResult struct {
	Containers []string
	Networks   []string
	// DeletedData are the data folders deleted with --volumes.
	DeletedData []string
}

// Down removes the lab's containers and networks, found by label. It is
// idempotent: a lab with nothing running is already down. data/ is kept
// unless opts.Volumes.
func (s *Session) Down(ctx context.Context, opts DownOptions) (*DownResult, error) {
	l := s.Lab
	if _, err := s.Engine.Ping(ctx); err != nil {
		return nil, err
	}
	// e.Containers refuses a lab of another directory under this name; it
	// keeps one container per service, so list them all for removal: a
	// `docker compose run` container left behind is the lab's too.
	if _, err := s.Containers(ctx); err != nil {
		return nil, err
	}
	containers, err := s.allContainers(ctx)
	if err != nil {
		return nil, err
	}
	res := &DownResult{}
	if l.Config.Swarm() && s.checkSwarm(ctx) == nil {
		if containers, err = s.downServices(ctx, res); err != nil {
			return res, err
		}
	}
	// Stop before removing, so every node saves its data on shutdown; the
	// sentinels first, so they do not start a failover while the data
	// nodes go down.
	var sentinels, others []engine.Container
	for _, c := range containers {
		if n, ok := l.Topology.Node(c.Service); ok && n.IsSentinel() {
			sentinels = append(sentinels, c)
		} else {
			others = append(others, c)
		}
	}
	for _, group := range [][]engine.Container{sentinels, others} {
		if err := s.each(group, func(c engine.Container) error {
			if c.State != engine.StateRunning {
				return nil // paused or stopped: nothing to save cleanly
			}
			return s.Engine.Stop(ctx, c.ID, 10*time.Second)
		}); err != nil {
			return res, err
		}
	}
	all := append(sentinels, others...)
	if err := s.each(all, func(c engine.Container) error { return s.Engine.Remove(ctx, c.ID) }); err != nil {
		return res, err
	}
	for _, c := range all {
		name := c.Service
		if name == "" {
			name = c.Name
		}
		if !slices.Contains(res.Containers, name) {
			res.Containers = append(res.Containers, name)
		}
	}
	sort.Strings(res.Containers)
	for _, service := range res.Containers {
		s.Progress.Node(service, "removed (stopped cleanly first)")
	}
	s.Progress.Done()
	if err := s.removeNetworks(ctx, res); err != nil {
		return res, err
	}
	if opts.Volumes {
		deleted, err := deleteData(l)
		res.DeletedData = deleted
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// removeNetworks removes the lab's networks, found by label.
func (s *Session) removeNetworks(ctx context.Context, res *DownResult) error {
	nets, err := s.Engine.Networks(ctx)
	if err != nil {
		return err
	}
	for _, n := range nets {
		if n.Labels[engine.LabelProject] != s.Lab.Config.Name {
			continue
		}
		if err := s.Engine.RemoveNetwork(ctx, n.Name); err != nil {
			return err
		}
		res.Networks = append(res.Networks, n.Name)
		s.Progress.Printf("network %s: removed", n.Name)
	}
	return nil
}

// allContainers lists every container of the lab, with the helpers (a
// fault's packet filter, a look at the image): they are removed once
// done, and one an interrupt left behind goes with the lab.
func (s *Session) allContainers(ctx context.Context) ([]engine.Container, error) {
	name := s.Lab.Config.Name
	containers, err := s.Engine.Containers(ctx, ProjectLabels(name))
	if err != nil {
		return nil, err
	}
	helpers, err := s.Engine.Containers(ctx, map[string]string{engine.LabelHelper: name})
	return append(containers, helpers...), err
}

// each runs fn on every container concurrently and returns the first error.
func (s *Session) each(list []engine.Container, fn func(engine.Container) error) error {
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		firstErr error
	)
	for _, c := range list {
		wg.Go(func() {
			if err := fn(c); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = fmt.Errorf("%s: %w", c.Service, err)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return firstErr
}

// deleteData removes data/<node> of every node the lab has or ever had
// (the state records them; a lab from before that record knows only its
// current nodes), and nothing else.
func deleteData(l *Lab) ([]string, error) {
	root := l.Dir.Path("data")
	st := l.state
	st.AddNodeDirs(l.Topology.Services()...)
	var deleted []string
	for _, service := range st.NodeDirs {
		p := l.Dir.NodeDir(service)
		if rel, err := filepath.Rel(root, p); err != nil || strings.HasPrefix(rel, "..") || rel == "." {
			return deleted, fmt.Errorf("refusing to delete %s: it is not a node folder under %s", p, root)
		}
		if _, err := os.Stat(p); os.IsNotExist(err) {
			continue
		}
		if err := os.RemoveAll(p); err != nil {
			return deleted, fmt.Errorf("deleting %s: %w", l.Dir.Rel(p), err)
		}
		deleted = append(deleted, l.Dir.Rel(p))
	}
	return deleted, nil
}
