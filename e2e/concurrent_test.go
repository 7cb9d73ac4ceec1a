package e2e

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/present"
)

// convergeBound is how far past down-after a failover may converge on a
// machine running three labs at once before it needs an explanation.
const convergeBound = 2500

// Three labs started at once, each failed over and revived twice: every
// failover converges within down-after + 2.5 s, or kill-master explains
// why (the sentinels were held back by an earlier attempt). A busy
// machine stalls sentinels; what matters is that nothing is silent.
func TestThreeLabsAtOnce(t *testing.T) {
	labs := []*Lab{newLab(t, "--port", "auto"), newLab(t, "--port", "auto"), newLab(t, "--port", "auto")}
	for _, l := range labs {
		l.Flags = withoutPorts(l.Flags)
	}
	var wg sync.WaitGroup
	for _, l := range labs {
		wg.Go(func() {
			up := l.run(append([]string{"up", "-o", "json"}, l.Flags...)...)
			if up.code != 0 {
				l.t.Errorf("%s: up: %s", l.Name, up.stderr)
				return
			}
			for round := 1; round <= 2; round++ {
				r := l.run("kill-master", "-o", "json")
				if r.code != 0 {
					l.t.Errorf("%s round %d: kill-master: %s", l.Name, round, r.stderr)
					return
				}
				var rep failover.Report
				if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
					l.t.Errorf("%s: %v", l.Name, err)
					return
				}
				if late := rep.ConvergedMS - rep.DownAfterMS; late > convergeBound && rep.HeldBack == nil {
					var b strings.Builder
					present.WriteFailover(&b, &rep, present.English)
					l.t.Errorf("%s round %d converged at D + %d ms with no explanation:\n%s", l.Name, round, late, b.String())
				}
				if rv := l.run("revive"); rv.code != 0 {
					l.t.Errorf("%s round %d: revive: %s", l.Name, round, rv.stderr)
					return
				}
			}
		})
	}
	wg.Wait()
}

// withoutPorts drops the fixed --port and --sentinel-port newLab gives, for
// labs that choose theirs with --port auto.
func withoutPorts(flags []string) []string {
	var out []string
	for i := 0; i < len(flags); i++ {
		if (flags[i] == "--port" || flags[i] == "--sentinel-port") && i+1 < len(flags) && flags[i+1] != "auto" {
			i++
			continue
		}
		out = append(out, flags[i])
	}
	return out
}
