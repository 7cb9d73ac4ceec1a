package lab

import (
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/timers"
)

// --timers fast is refused where the server is known to lack SENTINEL
// DEBUG: from the image's --version line, else from its tag (render,
// without Docker); a server that is not known is left to its sentinels.
func TestCheckTimers(t *testing.T) {
	for _, c := range []struct {
		mode           timers.Mode
		version, image string
		asked          bool // up asked the image for its version
		refused        string
	}{
		{timers.Fast, "", "redis:6.2", false, "image redis:6.2 runs Redis 6.2 (by its tag), which has none"},
		{timers.Fast, "Redis server v=6.2.16 sha=0 malloc=libc bits=64 build=1", "sentinel-lab/redis:6.2.16-local", false, "Redis 6.2.16"},
		{timers.Fast, "Redis server v=6.2.16 sha=0 malloc=libc bits=64 build=1", "mine:latest", false, "Redis 6.2.16"},
		{timers.Normal, "", "redis:6.2", false, ""},
		{timers.Fast, "", "redis:7.0", false, ""},
		{timers.Fast, "", "valkey/valkey:8", false, ""},
		{timers.Fast, "", "mine:1", false, ""},
		{timers.Fast, "Valkey server v=8.0.1 sha=0 malloc=libc bits=64 build=1", "mine:1", true, ""},
		// An image that gave up no version has no redis-server to ask:
		// up says so when a node starts, not a guess from "not-redis:1".
		{timers.Fast, "", "e2e/not-redis:1", true, ""},
		{timers.Fast, "", "e2e/not-redis:1", false, "Redis 1.0 (by its tag)"},
	} {
		l := &Lab{Config: &config.Config{Timers: c.mode}, Image: c.image, ServerVersion: c.version, serverAsked: c.asked}
		err := l.checkTimers()
		switch {
		case c.refused == "" && err != nil:
			t.Errorf("%s on %s (%q): refused: %v", c.mode, c.image, c.version, err)
		case c.refused != "" && (err == nil || !strings.Contains(err.Error(), c.refused) || !strings.Contains(err.Error(), "use --timers normal")):
			t.Errorf("%s on %s (%q): %v; want a refusal naming %s and the fix", c.mode, c.image, c.version, err, c.refused)
		}
	}
}
