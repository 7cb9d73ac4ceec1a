package lab

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/render"
	"github.com/sentinel-lab/sentinel-lab/internal/server"
)

// The data nodes' confs allow DEBUG (DEBUG SLEEP is how `fault --mode
// sleep` makes a slow node) where the server needs to be told: Redis from
// 7.0 and Valkey refuse DEBUG unless enable-debug-command allows it, and
// Redis 6.2 has no such setting (it always allows DEBUG) and refuses to
// start on it. A conf is rendered once, so which server the image runs is
// asked when the confs are about to be written.

// serverVersion is the first line of `redis-server --version` run in the
// image, "" when it cannot be run.
func (s *Session) serverVersion(ctx context.Context, ref string) string {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	res, err := engine.Run(ctx, s.Engine, engine.ContainerSpec{
		Name:       fmt.Sprintf("%s-server-version-%d", s.Lab.Config.Name, os.Getpid()),
		Image:      ref,
		Entrypoint: []string{"redis-server"}, Cmd: []string{"--version"},
		Labels:      map[string]string{engine.LabelHelper: s.Lab.Config.Name},
		NetworkMode: "none", ReadOnly: true, CapDrop: []string{"ALL"},
		SecurityOpt: []string{"no-new-privileges:true"},
	})
	if err != nil || res.ExitCode != 0 {
		return ""
	}
	first, _, _ := strings.Cut(res.Output, "\n")
	return first
}

// debugSetting tells whether the confs need `enable-debug-command`, from
// the server's --version line or, when it is not known (render without
// Docker), from the image's name and tag.
func debugSetting(version, image string) bool {
	if srv, err := server.FromVersionOutput(version); err == nil {
		return srv.Has(server.EnableDebugCommand)
	}
	return serverFromTag(image).Has(server.EnableDebugCommand)
}

// serverFromTag guesses the server of an image reference: a Valkey image,
// or a Redis image at the version of its tag (an untagged or "latest" one
// is new). Anything else is not known, and has no feature: a conf without
// the setting starts everywhere, and a sleep fault then says what to do.
func serverFromTag(ref string) server.Server {
	repo, tag := ref, "latest"
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		repo, tag = ref[:i], ref[i+1:]
	}
	repo = strings.ToLower(repo)
	switch {
	case strings.Contains(repo, "valkey"):
		return server.Server{Kind: server.Valkey}
	case !strings.Contains(repo, "redis"):
		return server.Server{}
	case tag == "latest":
		return server.Server{Kind: server.Redis, Version: server.Version{Major: 8}}
	}
	if m := majorOnly.FindStringSubmatch(tag); m != nil {
		tag = m[1] + ".0" // "redis:7" or "redis:7-alpine"
	}
	v, err := server.ParseVersion(tag)
	if err != nil {
		return server.Server{}
	}
	return server.Server{Kind: server.Redis, Version: v}
}

var majorOnly = regexp.MustCompile(`^(\d+)(?:$|[^.\d])`)

// needsServerVersion tells whether a data node's conf is about to be
// rendered, so the image's server matters.
func (l *Lab) needsServerVersion() bool {
	for _, n := range l.Topology.DataNodes() {
		if _, err := os.Stat(render.ConfPath(l.Dir, n)); err != nil {
			return true
		}
	}
	return false
}
