package probe

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// MasterAddr asks a sentinel where the master is, bounded so one silent
// sentinel does not hold up a watch round.
func (p *Prober) MasterAddr(ctx context.Context, n topology.Node) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	a, err := p.SentinelClient(n.Addr.String()).GetMasterAddrByName(ctx, p.Lab.MasterName).Result()
	if err != nil {
		return "", err
	}
	if len(a) != 2 {
		return "", fmt.Errorf("%s: get-master-addr-by-name answered %q", n.Service, a)
	}
	return p.Lab.InNetwork(a[0] + ":" + a[1]), nil
}

// Subscribe subscribes to every channel of a sentinel (PSUBSCRIBE *).
func (p *Prober) Subscribe(ctx context.Context, n topology.Node) (Subscription, error) {
	ps := p.SentinelClient(n.Addr.String()).PSubscribe(ctx, "*")
	confirmCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := ps.Receive(confirmCtx); err != nil {
		ps.Close()
		return nil, fmt.Errorf("subscribing to %s's events: %w", n.Service, err)
	}
	s := &subscription{ps: ps, ch: make(chan Message, 256)}
	go s.relay()
	return s, nil
}

type subscription struct {
	ps *redis.PubSub
	ch chan Message
}

// relay stamps each message as it arrives: the time is what a failover's
// timeline shows.
func (s *subscription) relay() {
	defer close(s.ch)
	for {
		msg, err := s.ps.ReceiveMessage(context.Background())
		if err != nil {
			return // closed, or the sentinel went away
		}
		s.ch <- Message{Channel: msg.Channel, Payload: msg.Payload, At: time.Now()}
	}
}

func (s *subscription) Messages() <-chan Message { return s.ch }
func (s *subscription) Close() error             { return s.ps.Close() }

// Client timeouts of the load writers: short, so an outage shows as failed
// writes at the rate they were tried rather than as one long hang.
const (
	writerDialTimeout = 200 * time.Millisecond
	writerIOTimeout   = 300 * time.Millisecond
)

// AppWriter connects through the sentinels, as an application does: the
// master is found with get-master-addr-by-name and followed on
// +switch-master, through the same dialer as every CLI connection.
func (p *Prober) AppWriter() KeyWriter {
	var sentinels []string
	for _, n := range p.Lab.Sentinels() {
		sentinels = append(sentinels, n.Addr.String())
	}
	return keyWriter{redis.NewFailoverClient(&redis.FailoverOptions{
		MasterName: p.Lab.MasterName, SentinelAddrs: sentinels,
		Password: p.password, SentinelPassword: p.password,
		Dialer:      p.dialer.DialContext,
		DialTimeout: writerDialTimeout, ReadTimeout: writerIOTimeout, WriteTimeout: writerIOTimeout,
		MaxRetries: -1, PoolSize: 4, Protocol: 2, DisableIdentity: true,
	})}
}

// NodeWriter connects to the one node at addr.
func (p *Prober) NodeWriter(addr string) KeyWriter {
	opts := p.Options(addr)
	opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout = writerDialTimeout, writerIOTimeout, writerIOTimeout
	return keyWriter{redis.NewClient(opts)}
}

type keyWriter struct{ c redis.UniversalClient }

func (w keyWriter) Write(ctx context.Context, key string, value int64, waitReplicas int) error {
	if waitReplicas == 0 {
		return w.c.Set(ctx, key, value, 0).Err()
	}
	// SET and WAIT on one connection: WAIT counts the replicas that have
	// this connection's writes.
	var wait *redis.Cmd
	_, err := w.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, key, value, 0)
		wait = p.Do(ctx, "wait", waitReplicas, 200)
		return nil
	})
	if err != nil {
		return err
	}
	if n, err := wait.Int64(); err != nil || n < int64(waitReplicas) {
		return ErrNotReplicated
	}
	return nil
}

func (w keyWriter) Close() error { return w.c.Close() }

// Missing checks keys in batches with MGET.
func (p *Prober) Missing(ctx context.Context, addr string, keys []string) ([]string, error) {
	c := p.DataClient(addr)
	var missing []string
	for start := 0; start < len(keys); start += 500 {
		batch := keys[start:min(start+500, len(keys))]
		vals, err := c.MGet(ctx, batch...).Result()
		if err != nil {
			return nil, fmt.Errorf("checking %d keys on %s: %w", len(batch), addr, err)
		}
		for i, v := range vals {
			if v == nil {
				missing = append(missing, batch[i])
			}
		}
	}
	return missing, nil
}

var _ Nodes = (*Prober)(nil)
