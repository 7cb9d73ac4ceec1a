// Package rendertest holds the lab configurations the rendering tests
// cover, so the golden tests and the compose-loading tests agree on them.
package rendertest

import (
	"crypto/sha1"
	"encoding/hex"
	"net/netip"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/render"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// Case is one configuration, given as the flags a user would type.
type Case struct {
	Name  string
	Flags map[string]string
}

// Subnet is the fixed subnet of every case.
var Subnet = netip.MustParsePrefix("172.28.5.0/24")

// Cases are the configurations the golden files cover.
var Cases = []Case{
	{"defaults", nil},
	{"four-replicas-five-sentinels", map[string]string{"replicas": "4", "sentinels": "5"}},
	{"custom-ports-and-master-name", map[string]string{
		"port": "7000", "sentinel-port": "17000", "master-name": "mymaster", "bind": "0.0.0.0",
		"down-after": "1000", "min-replicas-to-write": "1", "no-auth": "true",
	}},
	{"hostnames", map[string]string{"addressing": "hostnames"}},
	{"host-addressing", map[string]string{"addressing": "host", "port": "7100", "sentinel-port": "27100"}},
}

// Input builds a deterministic rendering input for the case: fixed subnet,
// user, password and sentinel ids.
func (c Case) Input(t testing.TB) render.Input {
	t.Helper()
	cfg, err := config.Load(config.Layers{Dir: "/labs/golden", Flags: c.Flags, UID: 1000, GID: 1000})
	if err != nil {
		t.Fatal(err)
	}
	pw := ""
	if cfg.Auth {
		pw = "golden-password"
	}
	return render.Input{
		Config: cfg, Lab: topology.New(cfg, Subnet), Image: cfg.Image, Password: pw,
		EnableDebug: true, // the default image, redis:7.2, refuses DEBUG without it
		NewSentinelID: func(service string) string {
			sum := sha1.Sum([]byte(service))
			return hex.EncodeToString(sum[:])
		},
	}
}
