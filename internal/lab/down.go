package lab

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

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
func (e *Env) Down(ctx context.Context, l *Lab, opts DownOptions) (*DownResult, error) {
	if _, err := e.Engine.Ping(ctx); err != nil {
		return nil, err
	}
	// e.containers refuses a lab of another directory under this name; it
	// keeps one container per service, so list them all for removal: a
	// `docker compose run` container left behind is the lab's too.
	if _, err := e.containers(ctx, l); err != nil {
		return nil, err
	}
	containers, err := e.Engine.Containers(ctx, ProjectLabels(l.Config.Name))
	if err != nil {
		return nil, err
	}
	res := &DownResult{}
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		firstErr error
	)
	for _, c := range containers {
		wg.Go(func() {
			err := e.Engine.Remove(ctx, c.ID)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			name := c.Service
			if name == "" {
				name = c.Name
			}
			res.Containers = append(res.Containers, name)
		})
	}
	wg.Wait()
	sort.Strings(res.Containers)
	for _, s := range res.Containers {
		e.Progress.Printf("%s: removed", s)
	}
	if firstErr != nil {
		return res, firstErr
	}

	nets, err := e.Engine.Networks(ctx)
	if err != nil {
		return res, err
	}
	for _, n := range nets {
		if n.Labels[engine.LabelProject] != l.Config.Name {
			continue
		}
		if err := e.Engine.RemoveNetwork(ctx, n.Name); err != nil {
			return res, err
		}
		res.Networks = append(res.Networks, n.Name)
		e.Progress.Printf("network %s: removed", n.Name)
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

// deleteData removes data/<node> of every node of the lab, and nothing
// outside data/.
func deleteData(l *Lab) ([]string, error) {
	root := l.Dir.Path("data")
	var deleted []string
	for _, n := range l.Topology.Nodes {
		p := l.Dir.NodeDir(n.Service)
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
