package lab

import (
	"errors"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
)

// A container removed by hand (docker rm -f) is created again as up
// creates it: at its static address, from the compose files.
func TestRecreateMakesAMissingContainerAsUpDoes(t *testing.T) {
	env := newTestEnv(healthy)
	dir := mkdir(t, newDir(t))
	res := env.up(t, dir, nil)
	before := env.find(t, "sentinel-2")
	if err := env.eng.Remove(ctx, before.ID); err != nil {
		t.Fatal(err)
	}

	if err := env.Recreate(ctx, "sentinel-2"); err != nil {
		t.Fatal(err)
	}

	after := env.find(t, "sentinel-2")
	if after.ID == before.ID || after.State != engine.StateRunning ||
		after.Addresses[res.Lab.NetworkName()] != before.Addresses[res.Lab.NetworkName()] ||
		after.Labels[engine.LabelSpecHash] != before.Labels[engine.LabelSpecHash] {
		t.Errorf("recreated %+v, want a new running container like %+v", after, before)
	}
	if err := env.Recreate(ctx, "node-9"); err == nil || !strings.Contains(err.Error(), "node-9 is not in compose/docker-compose.yml") {
		t.Errorf("a service the compose files do not have: %v", err)
	}
}

// Only the named nodes are checked; the message says when they stopped
// and what to do about the cause their last lines show.
func TestCheckExitedNamesTheCause(t *testing.T) {
	env := newTestEnv(healthy)
	dir := mkdir(t, newDir(t))
	env.up(t, dir, nil)
	s2 := env.find(t, "sentinel-2").ID
	env.eng.SetState(s2, engine.StateExited)
	env.eng.SetLogs(s2, "1:X 01 Dec 2026 10:00:00.000 # Fatal error, can't open config file '/data/sentinel.conf': No such file or directory\n")

	if err := env.CheckExited(ctx, []string{"sentinel-1"}, "again after revive started it"); err != nil {
		t.Errorf("a node not asked about fails the check: %v", err)
	}
	err := env.CheckExited(ctx, []string{"sentinel-2"}, "again after revive started it")
	var ex *ExitedError
	if !errors.As(err, &ex) {
		t.Fatalf("got %v, want sentinel-2 exited", err)
	}
	for _, want := range []string{"sentinel-2 stopped again after revive started it (state exited)", "can't open config file", "its conf under data/sentinel-2/data is gone: `sentinel-lab up` renders it again"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
	env.eng.SetLogs(s2, "Fatal error, can't open config file '/data/redis.conf': Permission denied\n")
	if err := env.CheckExited(ctx, nil, ""); err == nil || !strings.Contains(err.Error(), "cannot read or write data/sentinel-2/data: fix its owner") {
		t.Errorf("permission denied: %v", err)
	}
}
