package probe

import (
	"strings"

	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// StalePeers are the replicas and sentinels a sentinel still lists that
// are no longer nodes of the lab and that it flags down: Sentinel never
// forgets a peer by itself, so after a shrink it keeps the removed ones as
// s_down and counts removed sentinels in its majority. SENTINEL RESET makes
// it forget them; a live peer of the user's own (an override service) is
// not stale.
func StalePeers(lab *topology.Lab, v SentinelView) []PeerState {
	var out []PeerState
	for _, p := range append(append([]PeerState(nil), v.Replicas...), v.Sentinels...) {
		if _, ok := lab.NodeAt(p.Address); ok {
			continue
		}
		if strings.Contains(p.Flags, "s_down") || strings.Contains(p.Flags, "disconnected") {
			out = append(out, p)
		}
	}
	return out
}

// StrayMasters are the data nodes that answer role:master although the
// sentinels name another node master: an old master back after a
// partition, or a node promoted by hand. The sentinels convert one they
// know into a replica; until then it takes writes that will be lost.
func StrayMasters(s Snapshot, master topology.Node) []NodeInfo {
	var out []NodeInfo
	for _, n := range s.Nodes {
		if n.Reachable && n.Role == "master" && n.Service != master.Service {
			out = append(out, n)
		}
	}
	return out
}
