package probe

import (
	"context"

	"github.com/redis/go-redis/v9"

	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// Do sends one command to node, a data node or a sentinel, and returns its
// reply as go-redis reads RESP2: strings, integers and nested []any.
func (p *Prober) Do(ctx context.Context, n topology.Node, args ...any) (any, error) {
	cmd := redis.NewCmd(ctx, args...)
	addr := n.Addr.String()
	var err error
	if n.IsSentinel() {
		err = p.SentinelClient(addr).Process(ctx, cmd)
	} else {
		err = p.DataClient(addr).Process(ctx, cmd)
	}
	if err != nil {
		return nil, err
	}
	return cmd.Val(), nil
}
