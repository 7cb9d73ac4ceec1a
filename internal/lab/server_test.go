package lab

import "testing"

// The data nodes' confs enable DEBUG where the server needs it: Redis
// from 7.0 and Valkey; Redis 6.2 would refuse the setting and not start.
func TestDebugSetting(t *testing.T) {
	for _, c := range []struct {
		version, image string
		want           bool
	}{
		{"Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0", "anything", true},
		{"Redis server v=6.2.16 sha=00000000:0 malloc=libc", "redis:7.2", false},
		{"Valkey server v=8.0.1 sha=00000000:0", "", true},
		// Not asked of the image (render without Docker): from its name.
		{"", "redis:7.2", true},
		{"", "redis", true},
		{"", "redis:latest", true},
		{"", "redis:6.2-alpine", false},
		{"", "sentinel-lab/redis:6.2.16-local", false},
		{"", "sentinel-lab/redis:7.4.1-local", true},
		{"", "valkey/valkey:8", true},
		{"", "registry.example:5000/redis:7.2", true},
		{"", "mycompany/cache:1.0", false},
		{"", "redis:7", true},
		{"", "redis:6-alpine", false},
		{"", "redis:8.0-bookworm", true},
	} {
		if got := debugSetting(c.version, c.image); got != c.want {
			t.Errorf("%q / %q: %v, want %v", c.version, c.image, got, c.want)
		}
	}
}
