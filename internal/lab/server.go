package lab

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/render"
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

var versionLine = regexp.MustCompile(`^(Redis|Valkey) server v=(\d+)\.(\d+)`)

// debugSetting tells whether the confs need `enable-debug-command`, from
// the server's --version line or, when it is not known (render without
// Docker), from the image's name and tag.
func debugSetting(version, image string) bool {
	if m := versionRE(version); m != nil {
		major, _ := strconv.Atoi(m[2])
		return m[1] == "Valkey" || major >= 7
	}
	return debugFromTag(image)
}

func versionRE(s string) []string { return versionLine.FindStringSubmatch(strings.TrimSpace(s)) }

var tagVersion = regexp.MustCompile(`^(\d+)(?:\.\d+)*`)

// debugFromTag guesses from an image reference: a Valkey image has the
// setting; a Redis image does from 7 on, and an untagged or "latest" one
// is new. Anything else is not known, and gets no setting: a conf without
// it starts everywhere, and a sleep fault then says what to do.
func debugFromTag(ref string) bool {
	repo, tag := ref, "latest"
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		repo, tag = ref[:i], ref[i+1:]
	}
	repo = strings.ToLower(repo)
	switch {
	case strings.Contains(repo, "valkey"):
		return true
	case !strings.Contains(repo, "redis"):
		return false
	case tag == "latest":
		return true
	}
	m := tagVersion.FindStringSubmatch(tag)
	if m == nil {
		return false
	}
	major, _ := strconv.Atoi(m[1])
	return major >= 7
}

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
