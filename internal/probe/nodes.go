package probe

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// Nodes is everything sentinel-lab asks of a lab's Redis nodes and
// sentinels. The Prober asks them over the network; probetest.Fake answers
// from a script on a fake clock, so the failover logic is tested without
// servers.
type Nodes interface {
	// Node asks a data node for its INFO.
	Node(ctx context.Context, n topology.Node) NodeInfo
	// Sentinel asks a sentinel everything it thinks of the lab's master.
	Sentinel(ctx context.Context, n topology.Node) SentinelView
	// MasterAddr asks a sentinel only where the master is
	// (SENTINEL get-master-addr-by-name): the quick question a failover
	// is watched with.
	MasterAddr(ctx context.Context, n topology.Node) (string, error)
	// Subscribe starts receiving a sentinel's events. It returns once the
	// subscription is confirmed, so nothing published later is missed.
	Subscribe(ctx context.Context, n topology.Node) (Subscription, error)
	// Do sends one command to a node or sentinel and returns its reply as
	// RESP2 reads: strings, integers and nested []any.
	Do(ctx context.Context, n topology.Node, args ...any) (any, error)
	// AppWriter is a client that finds the master through the sentinels
	// and follows it, as an application does (go-redis FailoverClient).
	AppWriter() KeyWriter
	// NodeWriter is a client of the one data node at addr, wherever the
	// sentinels say the master is.
	NodeWriter(addr string) KeyWriter
	// Missing returns which of keys the data node at addr does not hold.
	Missing(ctx context.Context, addr string, keys []string) ([]string, error)
	// Close closes every connection.
	Close()
}

// Subscription is one sentinel's event stream.
type Subscription interface {
	// Messages delivers the events in the order they arrived, stamped and
	// buffered as they arrive (failover's recorder reads them on each of
	// its polls); it is closed when the subscription ends.
	Messages() <-chan Message
	// Close ends the subscription.
	Close() error
}

// Message is one event a sentinel published.
type Message struct {
	// Channel is the event type: +sdown, +switch-master, ...
	Channel string
	Payload string
	// At is when it arrived.
	At time.Time
}

// KeyWriter writes keys, the way the lab's load writer needs.
type KeyWriter interface {
	// Write sets key to value. With waitReplicas > 0 it then waits (WAIT,
	// at most 200 ms) until that many replicas have the write, and returns
	// ErrNotReplicated when fewer do.
	Write(ctx context.Context, key string, value int64, waitReplicas int) error
	Close() error
}

// ErrNotReplicated is a write acknowledged by the master that fewer
// replicas than asked for confirmed in time.
var ErrNotReplicated = errors.New("not replicated")

// TakeSnapshot asks every node and sentinel of lab at once; now stamps it.
func TakeSnapshot(ctx context.Context, nodes Nodes, lab *topology.Lab, now time.Time) Snapshot {
	s := Snapshot{At: now}
	data, sentinels := lab.DataNodes(), lab.Sentinels()
	s.Nodes = make([]NodeInfo, len(data))
	s.Sentinels = make([]SentinelView, len(sentinels))
	var wg sync.WaitGroup
	for i, n := range data {
		wg.Go(func() { s.Nodes[i] = nodes.Node(ctx, n) })
	}
	for i, n := range sentinels {
		wg.Go(func() { s.Sentinels[i] = nodes.Sentinel(ctx, n) })
	}
	wg.Wait()
	return s
}

// SentinelViews asks every sentinel of lab at once.
func SentinelViews(ctx context.Context, nodes Nodes, lab *topology.Lab) []SentinelView {
	ss := lab.Sentinels()
	out := make([]SentinelView, len(ss))
	var wg sync.WaitGroup
	for i, n := range ss {
		wg.Go(func() { out[i] = nodes.Sentinel(ctx, n) })
	}
	wg.Wait()
	return out
}
