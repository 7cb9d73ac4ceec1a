package cli

import (
	"bytes"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

func TestRedisCLIExecKeepsThePasswordOutOfTheCommandLine(t *testing.T) {
	node := topology.Node{Service: "sentinel-2", Addr: netip.MustParseAddrPort("172.28.5.102:26380")}
	spec := redisCLIExec(node, "s3cret", []string{"SENTINEL", "masters"})
	if want := []string{"redis-cli", "-h", "127.0.0.1", "-p", "26380", "SENTINEL", "masters"}; !slices.Equal(spec.Cmd, want) {
		t.Errorf("Cmd = %q, want %q", spec.Cmd, want)
	}
	if !slices.Equal(spec.Env, []string{"REDISCLI_AUTH=s3cret"}) {
		t.Errorf("Env = %q", spec.Env)
	}
	if strings.Contains(strings.Join(spec.Cmd, " "), "s3cret") {
		t.Error("the password is on the command line")
	}
	if spec := redisCLIExec(node, "", nil); spec.Env != nil {
		t.Errorf("auth off: Env = %q", spec.Env)
	}
}

func TestCheckRunningSaysWhatToDo(t *testing.T) {
	tests := []struct {
		c      engine.Container
		exists bool
		want   string
	}{
		{engine.Container{State: engine.StateRunning}, true, ""},
		{engine.Container{State: engine.StateExited}, true, "node-1 is not running (exited); sentinel-lab revive node-1"},
		{engine.Container{State: engine.StatePaused}, true, "node-1 is paused; sentinel-lab revive node-1"},
		{engine.Container{}, false, "node-1 has no container; start the lab with sentinel-lab up"},
	}
	for _, tt := range tests {
		err := checkRunning("node-1", tt.c, tt.exists)
		if got := errString(err); got != tt.want {
			t.Errorf("state %q: %q, want %q", tt.c.State, got, tt.want)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestCLIPassesFlagsAfterTheServiceToRedisCLI(t *testing.T) {
	root := NewRoot(Streams{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: &bytes.Buffer{}}, NewFactory())
	cmd, rest, err := root.Find([]string{"--dir", "lab", "cli", "node-1", "--raw", "-p", "1", "GET", "k"})
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.ParseFlags(rest); err != nil {
		t.Fatal(err)
	}
	if got, want := cmd.Flags().Args(), []string{"node-1", "--raw", "-p", "1", "GET", "k"}; !slices.Equal(got, want) {
		t.Errorf("args = %q, want %q", got, want)
	}
}

func TestCLIWithoutServiceIsAUsageError(t *testing.T) {
	var out, errb bytes.Buffer
	root := NewRoot(Streams{In: strings.NewReader(""), Out: &out, Err: &errb}, NewFactory())
	root.SetArgs([]string{"cli"})
	err := root.Execute()
	var u *UsageError
	if !errors.As(err, &u) || !strings.Contains(err.Error(), "sentinel-lab cli <service>") {
		t.Errorf("err = %v, want a usage error showing how to call cli", err)
	}
}
