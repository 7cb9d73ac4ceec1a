package probe_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/probe"
)

// infoServer answers INFO per section as a server of the given version
// would; before 7.0, INFO with several sections is "ERR syntax error", as
// Redis 6.2 answers it.
func infoServer(t *testing.T, version string) *respServer {
	sections := map[string]string{
		"server":      "# Server\r\nredis_version:" + version + "\r\nrun_id:abc\r\n",
		"replication": "# Replication\r\nrole:master\r\nconnected_slaves:0\r\nmaster_replid:r1\r\nmaster_repl_offset:42\r\n",
		"stats":       "# Stats\r\nsync_full:3\r\nsync_partial_ok:1\r\n",
	}
	return serve(t, "", func(args []string) string {
		if strings.ToLower(args[0]) != "info" {
			return "-ERR unexpected\r\n"
		}
		if len(args) > 2 && version < "7" {
			return "-ERR syntax error\r\n"
		}
		var b strings.Builder
		for _, s := range args[1:] {
			b.WriteString(sections[s])
		}
		return bulk(b.String())
	})
}

func infoCommands(s *respServer) []string {
	var out []string
	for _, c := range s.commands() {
		if strings.HasPrefix(c, "info") {
			out = append(out, c)
		}
	}
	return out
}

// Redis 6.2 takes one INFO section per call: the prober asks it a section
// at a time and reads the same fields as from a newer server.
func TestNodeOfARedis62AsksOneSectionPerCall(t *testing.T) {
	s := infoServer(t, "6.2.16")
	lab := testLab(s.port(), 1, 1)
	p := probe.New(lab, "", probe.NewDialer(lab, "127.0.0.1", probe.ReachPublished))
	defer p.Close()

	for range 2 {
		ni := p.Node(context.Background(), lab.Nodes[0])
		if !ni.Reachable || ni.Role != "master" || ni.Offset != 42 || ni.SyncFull != 3 || ni.Server.String() != "Redis 6.2.16" {
			t.Fatalf("node %+v", ni)
		}
	}
	for _, c := range infoCommands(s) {
		if strings.Count(c, " ") > 1 {
			t.Errorf("sent %q to Redis 6.2", c)
		}
	}
	if got := p.Server(lab.Nodes[0].Addr.String()).String(); got != "Redis 6.2.16" {
		t.Errorf("server remembered as %q", got)
	}
}

// A server that takes several sections gets them in one call once the
// prober knows what it is.
func TestNodeOfARedis7AsksAllSectionsInOneCall(t *testing.T) {
	s := infoServer(t, "7.4.1")
	lab := testLab(s.port(), 1, 1)
	p := probe.New(lab, "", probe.NewDialer(lab, "127.0.0.1", probe.ReachPublished))
	defer p.Close()

	for range 2 {
		if ni := p.Node(context.Background(), lab.Nodes[0]); !ni.Reachable || ni.Server.String() != "Redis 7.4.1" {
			t.Fatalf("node %+v", ni)
		}
	}
	got := infoCommands(s)
	want := []string{"info server", "info replication", "info stats", "info server replication stats"}
	if !slices.Equal(got, want) {
		t.Errorf("INFO calls %q, want %q", got, want)
	}
}
