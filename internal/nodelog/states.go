package nodelog

import (
	"fmt"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
)

// StateNotes follows the containers of the nodes being followed, so
// `logs -f` says when one stops, goes or comes back instead of falling
// silent.
type StateNotes struct {
	last map[string]string
}

// Notes compares each service's container state (StateMissing when it has
// none) with the last one seen and says what changed. The first call says
// only which nodes are not running.
func (s *StateNotes) Notes(services []string, states map[string]string) []string {
	first := s.last == nil
	if first {
		s.last = map[string]string{}
	}
	var out []string
	for _, svc := range services {
		now := states[svc]
		if now == "" {
			now = engine.StateMissing
		}
		before, seen := s.last[svc]
		s.last[svc] = now
		if first {
			if now != engine.StateRunning {
				out = append(out, fmt.Sprintf("%s is not running (%s); its lines resume if it starts again", svc, describeState(now)))
			}
			continue
		}
		if !seen || before == now {
			continue
		}
		switch {
		case now == engine.StatePaused:
			out = append(out, fmt.Sprintf("%s is paused (frozen: it writes nothing until unpaused)", svc))
		case now == engine.StateRunning:
			out = append(out, fmt.Sprintf("%s is running again", svc))
		case before == engine.StateRunning || before == engine.StatePaused:
			out = append(out, fmt.Sprintf("%s stopped (%s); still following it", svc, describeState(now)))
		default:
			out = append(out, fmt.Sprintf("%s is now %s", svc, describeState(now)))
		}
	}
	return out
}

func describeState(state string) string {
	if state == engine.StateMissing {
		return "its container is gone"
	}
	return "container " + state
}
