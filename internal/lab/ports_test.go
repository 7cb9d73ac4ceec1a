package lab

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
)

// checkPortsFree refuses ports another program holds, but not those the
// lab's own running or paused container holds until up replaces it.
func TestCheckPortsFree(t *testing.T) {
	held, err := net.Listen("tcp", "127.0.0.1:0") // as a running container's published port is
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	heldPort := uint16(held.Addr().(*net.TCPAddr).Port)
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	freePort := uint16(free.Addr().(*net.TCPAddr).Port)
	free.Close()

	act := func(kind actionKind, state string, port uint16) action {
		return action{
			kind:     kind,
			plan:     ServicePlan{Service: "node-1", Spec: engine.ContainerSpec{Ports: []engine.Port{{HostIP: "127.0.0.1", HostPort: port, ContainerPort: 6380}}}},
			existing: engine.Container{ID: "c1", State: state},
		}
	}
	cases := []struct {
		name    string
		action  action
		refused bool
	}{
		{"create on a free port", act(actCreate, "", freePort), false},
		{"create on a held port", act(actCreate, "", heldPort), true},
		{"start a stopped node whose port another holds", act(actStart, engine.StateExited, heldPort), true},
		{"unpause (the paused node holds its port)", act(actUnpause, engine.StatePaused, heldPort), false},
		{"recreate a running node (it holds its port)", act(actRecreate, engine.StateRunning, heldPort), false},
		{"recreate a paused node (it holds its port)", act(actRecreate, engine.StatePaused, heldPort), false},
		{"recreate a stopped node whose port another holds", act(actRecreate, engine.StateExited, heldPort), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := checkPortsFree([]action{c.action})
			if !c.refused {
				if err != nil {
					t.Errorf("refused: %v", err)
				}
				return
			}
			var inUse *PortsInUseError
			if !errors.As(err, &inUse) {
				t.Fatalf("got %v, want the held port refused", err)
			}
			want := fmt.Sprintf("port 127.0.0.1:%d, wanted by node-1, is already in use", heldPort)
			if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "--port 7000") {
				t.Errorf("error %q does not name the port and node with the fix", err)
			}
		})
	}
}
