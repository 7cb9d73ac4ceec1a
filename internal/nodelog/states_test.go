package nodelog

import (
	"slices"
	"testing"
)

// Issue 17: logs -f kept following a node that stopped, silently.
func TestStateNotesSayWhenANodeStops(t *testing.T) {
	var s StateNotes
	nodes := []string{"master", "node-1", "sentinel-1"}
	if got := s.Notes(nodes, map[string]string{"master": "running", "node-1": "exited", "sentinel-1": "running"}); !slices.Equal(got,
		[]string{"node-1 is not running (container exited); its lines resume if it starts again"}) {
		t.Errorf("first: %q", got)
	}
	if got := s.Notes(nodes, map[string]string{"master": "running", "node-1": "exited", "sentinel-1": "running"}); len(got) > 0 {
		t.Errorf("nothing changed: %q", got)
	}
	got := s.Notes(nodes, map[string]string{"node-1": "running", "sentinel-1": "paused"})
	want := []string{"master stopped (its container is gone); still following it", "node-1 is running again", "sentinel-1 is paused (frozen: it writes nothing until unpaused)"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}
