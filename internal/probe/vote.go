package probe

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// Vote is who the answering sentinels name as the master: the one answer
// to "who is master" that health, kill-master and revive share.
type Vote struct {
	// Addr is the address most answering sentinels name; a tie goes to the
	// lowest address, so every caller picks the same one. "" when none
	// answers.
	Addr string
	// For is how many sentinels name Addr.
	For int
	// Answering and Total count the sentinels.
	Answering, Total int
	// By lists, for every address named, the sentinels naming it.
	By map[string][]string
}

// MasterVote counts what the reachable sentinels name.
func MasterVote(views []SentinelView) Vote {
	v := Vote{Total: len(views), By: map[string][]string{}}
	for _, s := range views {
		if !s.Reachable {
			continue
		}
		v.Answering++
		v.By[s.MasterAddr] = append(v.By[s.MasterAddr], s.Service)
	}
	for addr, who := range v.By {
		if len(who) > v.For || (len(who) == v.For && addr < v.Addr) {
			v.Addr, v.For = addr, len(who)
		}
	}
	return v
}

// Unanimous tells whether every answering sentinel names the same master.
func (v Vote) Unanimous() bool { return len(v.By) == 1 }

// Disagreement says who names what, "sentinel-1 says master; sentinel-2,
// sentinel-3 say node-1", naming nodes by service.
func (v Vote) Disagreement(lab *topology.Lab) string {
	var parts []string
	for a, who := range v.By {
		verb := "says"
		if len(who) > 1 {
			verb = "say"
		}
		name := lab.ServiceAt(a)
		if name == "" {
			name = a
		}
		sort.Strings(who)
		parts = append(parts, fmt.Sprintf("%s %s %s", strings.Join(who, ", "), verb, name))
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}
