package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func newTestRoot() (*cobra.Command, *bytes.Buffer) {
	var out bytes.Buffer
	return NewRoot(Streams{In: strings.NewReader(""), Out: &out, Err: &bytes.Buffer{}}, NewFactory()), &out
}

func TestEveryCommandHasAnExample(t *testing.T) {
	root, _ := newTestRoot()
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if !c.Hidden && strings.TrimSpace(c.Example) == "" {
			t.Errorf("%q has no Example in its --help", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

func TestCompletionScripts(t *testing.T) {
	for shell, marker := range map[string]string{
		"bash": "# bash completion V2 for sentinel-lab",
		"zsh":  "#compdef sentinel-lab",
		"fish": "# fish completion for sentinel-lab",
	} {
		root, out := newTestRoot()
		root.SetArgs([]string{"completion", shell})
		if err := root.Execute(); err != nil {
			t.Errorf("completion %s: %v", shell, err)
		}
		if !strings.HasPrefix(out.String(), marker) {
			t.Errorf("completion %s starts with %.60q, want %q", shell, out.String(), marker)
		}
	}
}

func TestCompletionOfAnotherShellIsAUsageError(t *testing.T) {
	for _, args := range [][]string{{"completion", "powershell"}, {"completion"}, {"completion", "bash", "zsh"}} {
		root, _ := newTestRoot()
		root.SetArgs(args)
		err := root.Execute()
		var u *UsageError
		if !errors.As(err, &u) || !strings.Contains(err.Error(), "bash") {
			t.Errorf("%q: %v, want a usage error naming the shells", args, err)
		}
	}
}

func TestHelpStillTakesACommand(t *testing.T) {
	root, out := newTestRoot()
	root.SetArgs([]string{"help", "logs"})
	if err := root.Execute(); err != nil || !strings.Contains(out.String(), "sentinel-lab logs [service...]") {
		t.Errorf("help logs: %v\n%s", err, out.String())
	}
}

// --addressing completes to the modes it takes.
func TestAddressingCompletesItsModes(t *testing.T) {
	root, out := newTestRoot()
	root.SetArgs([]string{"__complete", "up", "--addressing", ""})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "ip\nhostnames\nhost\n") {
		t.Errorf("completion of --addressing: %q", out.String())
	}
}
