package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The un-seeded baseline must remove exactly the seeding lines sentinel-lab
// renders, and nothing else: tested on the golden renderings.
func TestUnseedConfOnGoldenRenderings(t *testing.T) {
	golden := filepath.Join("..", "internal", "render", "testdata", "defaults", "data")
	for _, tc := range []struct {
		conf    string
		seeding []string // prefixes present before and gone after
		kept    []string // prefixes that must survive
	}{
		{
			conf:    filepath.Join(golden, "sentinel-1", "data", "sentinel.conf"),
			seeding: []string{"sentinel myid ", "sentinel known-replica ", "sentinel known-sentinel "},
			kept:    []string{"port ", "sentinel monitor ", "sentinel down-after-milliseconds ", "sentinel auth-pass ", "requirepass "},
		},
		{
			conf:    filepath.Join(golden, "node-1", "data", "redis.conf"),
			seeding: []string{"repl-diskless-sync-delay "},
			kept:    []string{"port ", "replicaof ", "requirepass ", "masterauth ", "repl-diskless-sync yes"},
		},
	} {
		b, err := os.ReadFile(tc.conf)
		if err != nil {
			t.Fatal(err)
		}
		got := string(unseedConf(b))
		for _, p := range tc.seeding {
			if !hasLine(string(b), p) {
				t.Errorf("%s: the rendering has no %q line; the un-seeded baseline is out of date", tc.conf, p)
			}
			if hasLine(got, p) {
				t.Errorf("%s: %q survived unseeding:\n%s", tc.conf, p, got)
			}
		}
		for _, p := range tc.kept {
			if !hasLine(got, p) {
				t.Errorf("%s: unseeding removed %q:\n%s", tc.conf, p, got)
			}
		}
	}
}

func hasLine(conf, prefix string) bool {
	for _, line := range strings.Split(conf, "\n") {
		if strings.HasPrefix(line, prefix) {
			return true
		}
	}
	return false
}
