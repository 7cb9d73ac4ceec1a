package lab

import (
	"fmt"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
)

// shapeKeys are rendered into the confs in a way the compose file must
// match: the addressing names every node in them, and in host addressing
// each node listens on its host port. Kept confs cannot follow a change,
// and the lab would break (a node published on a port it does not listen
// on), so a change is refused rather than noted.
var shapeKeys = []string{"addressing", "port", "sentinel-port"}

// ShapeError refuses a change the lab's kept confs cannot follow.
type ShapeError struct {
	Key, Old, New string
	// Swarm tells a change that comes of --engine swarm, which takes
	// hostname addressing, rather than of the addressing asked for.
	Swarm bool
}

func (e *ShapeError) Error() string {
	if e.Swarm {
		return fmt.Sprintf("engine swarm: the lab's confs under data/ were rendered with addressing %s for containers, and a swarm gives its services no static addresses (moby#24170), so the lab cannot move there with them; run `sentinel-lab down --volumes` first to start it afresh on the swarm, or keep --engine docker",
			e.Old)
	}
	return fmt.Sprintf("%s %s: the lab's confs under data/ were rendered with %s %s, and Redis and Sentinel own them now, so the lab cannot change it; run `sentinel-lab down --volumes` first to start the lab afresh with it, or keep --%s %s",
		e.Key, e.New, e.Key, e.Old, e.Key, e.Old)
}

// IsUsage marks the change as the user's to undo (exit code 2).
func (e *ShapeError) IsUsage() bool { return true }

// checkShape refuses, before anything is written, an addressing other than
// the kept confs' (a lab from before addressing existed has ip), or in
// host addressing other ports.
func (l *Lab) checkShape() error {
	if !l.confsExist() {
		return nil
	}
	rendered := l.state.ConfConfig
	if rendered == nil {
		rendered = l.state.Config
	}
	if rendered == nil {
		return nil
	}
	now := l.Config.Save()
	was := rendered["addressing"]
	if was == "" {
		was = config.AddressingIP
	}
	if was != now["addressing"] {
		return &ShapeError{Key: "addressing", Old: was, New: now["addressing"], Swarm: l.Config.Swarm() && rendered["engine"] != config.EngineSwarm}
	}
	if was != config.AddressingHost {
		return nil
	}
	for _, k := range shapeKeys[1:] {
		if old, ok := rendered[k]; ok && old != now[k] {
			return &ShapeError{Key: k, Old: old, New: now[k]}
		}
	}
	return nil
}
