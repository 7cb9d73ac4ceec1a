package probe

import (
	"context"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/sentinel-lab/sentinel-lab/internal/server"
)

// servers remembers, per address, the server that answered there, to know
// how to ask it for INFO.
type servers struct {
	mu sync.Mutex
	by map[string]server.Server
}

func (s *servers) get(addr string) server.Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.by[addr]
}

func (s *servers) set(addr string, srv server.Server) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.by == nil {
		s.by = map[string]server.Server{}
	}
	s.by[addr] = srv
}

// InfoSections asks the node at addr for the given INFO sections, "server"
// among them: in one call where its server takes several sections at once
// (server.MultiSectionInfo), else one call per section in one pipeline
// (Redis 6.2, or a server not known yet). The answer says which server it
// is, for the next call.
func (p *Prober) InfoSections(ctx context.Context, c redis.UniversalClient, addr string, sections ...string) (Info, error) {
	known := p.servers.get(addr)
	if known.Has(server.MultiSectionInfo) {
		raw, err := c.Info(ctx, sections...).Result()
		if err == nil {
			return p.learn(addr, raw), nil
		}
		// Another server may answer at this address now (an image
		// changed under the lab): ask again, a section at a time.
		if !strings.Contains(err.Error(), "syntax error") {
			return nil, err
		}
	}
	cmds, err := c.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for _, s := range sections {
			pipe.Info(ctx, s)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	for _, cmd := range cmds {
		b.WriteString(cmd.(*redis.StringCmd).Val())
		b.WriteString("\n")
	}
	return p.learn(addr, b.String()), nil
}

// learn parses an INFO reply and remembers the server it names.
func (p *Prober) learn(addr, raw string) Info {
	info := ParseInfo(raw)
	if srv, ok := server.FromInfo(func(k string) string { return info[k] }); ok {
		p.servers.set(addr, srv)
	}
	return info
}

// Server is the server at addr, as its last INFO said; the zero Server
// when it was not asked yet.
func (p *Prober) Server(addr string) server.Server { return p.servers.get(addr) }
