package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

type cliOptions struct {
	f       *Factory
	service string
	args    []string
}

func newCLICommand(f *Factory, runF func(context.Context, *cliOptions) error) *cobra.Command {
	o := &cliOptions{f: f}
	cmd := &cobra.Command{
		Use:   "cli <service> [redis-cli args...]",
		Short: "Run redis-cli against a node or sentinel, with the lab's password handled",
		Long: `cli runs redis-cli inside the node's own container, connected to the node
(127.0.0.1 and its port), with the lab password given through the
environment (REDISCLI_AUTH), never on a command line. It works wherever the
Docker daemon is, with nothing installed on this host.

With arguments it runs that one command and prints the answer. Without, it
is redis-cli's interactive prompt when this is a terminal; when standard input
is a pipe, redis-cli reads one command per line from it.

Everything after the service goes to redis-cli, flags included.
It exits with redis-cli's exit code.`,
		Example: `  sentinel-lab cli master INFO replication
  sentinel-lab cli sentinel-1 SENTINEL get-master-addr-by-name redis-master
  sentinel-lab cli node-1 --raw GET greeting
  sentinel-lab cli master                     # interactive
  printf 'SET a 1\nGET a\n' | sentinel-lab cli master`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErrorf("name the node to connect to: sentinel-lab cli <service> [redis-cli args...], such as sentinel-lab cli master INFO replication")
			}
			return nil
		},
		ValidArgsFunction: completeServices(f, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.service, o.args = args[0], args[1:]
			return run(cmd.Context(), o, runF, runCLI)
		},
	}
	// Flags after the service are redis-cli's: `cli node-1 --raw GET k`.
	cmd.Flags().SetInterspersed(false)
	return cmd
}

// ExitError ends the command with a program's exit code (app.Run exits
// with it).
type ExitError struct {
	Program string
	Code    int
}

func (e *ExitError) Error() string { return fmt.Sprintf("%s exited with code %d", e.Program, e.Code) }

func runCLI(ctx context.Context, o *cliOptions) error {
	s, err := o.f.Session(nil)
	if err != nil {
		return err
	}
	defer s.Close()
	service, args, streams := o.service, o.args, o.f.IO
	node, ok := s.Lab.Topology.Node(service)
	if !ok {
		return unknownService(s.Lab.Topology, service)
	}
	if _, err := s.Engine.Ping(ctx); err != nil {
		return err
	}
	containers, err := s.Containers(ctx)
	if err != nil {
		return err
	}
	c, ok := containers[service]
	if err := checkRunning(service, c, ok); err != nil {
		return err
	}

	stdinTTY, stdoutTTY := isTerminal(streams.In), isTerminal(streams.Out)
	spec := redisCLIExec(node, s.Lab.Password, args)
	switch {
	case stdinTTY && stdoutTTY:
		restore, err := rawTerminal(streams.In)
		if err != nil {
			return err
		}
		defer restore()
		resize, stop := terminalSizes(streams.Out)
		defer stop()
		spec.TTY, spec.Resize = true, resize
		spec.Stdin = streams.In
	case !stdinTTY || len(args) == 0:
		// Pipes and files are redis-cli's input (commands, or -x's value);
		// a terminal is only read from when the prompt is wanted.
		spec.Stdin = streams.In
	}
	spec.Stdout, spec.Stderr = streams.Out, streams.Err
	code, err := s.Engine.Exec(ctx, c.ID, spec)
	if err != nil {
		return err
	}
	switch code {
	case 0:
		return nil
	case 126, 127:
		return fmt.Errorf("redis-cli could not be run in %s's container (exit code %d): does the image %s have redis-cli on its PATH?", service, code, c.Image)
	}
	return &ExitError{Program: "redis-cli", Code: code}
}

// checkRunning says why a command cannot be run in a node's container.
func checkRunning(service string, c engine.Container, exists bool) error {
	switch {
	case !exists:
		return fmt.Errorf("%s has no container; start the lab with sentinel-lab up", service)
	case c.State == engine.StatePaused:
		return fmt.Errorf("%s is paused; sentinel-lab revive %s", service, service)
	case c.State != engine.StateRunning:
		return fmt.Errorf("%s is not running (%s); sentinel-lab revive %s", service, c.State, service)
	}
	return nil
}

// redisCLIExec is redis-cli connected to node from inside its container. The
// password goes in the environment: a command line shows in `ps` and in the
// engine's record of the exec.
func redisCLIExec(node topology.Node, password string, args []string) engine.ExecSpec {
	cmd := append([]string{"redis-cli", "-h", "127.0.0.1", "-p", strconv.Itoa(int(node.Addr.Port()))}, args...)
	spec := engine.ExecSpec{Cmd: cmd}
	if password != "" {
		spec.Env = []string{"REDISCLI_AUTH=" + password}
	}
	return spec
}

// isTerminal tells a stream that is a terminal.
func isTerminal(s any) bool {
	f, ok := s.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}

// rawTerminal puts the terminal in raw mode, so keys (Ctrl-C included) go to
// the program in the container, and returns what restores it.
func rawTerminal(in io.Reader) (func(), error) {
	fd := int(in.(interface{ Fd() uintptr }).Fd())
	old, err := term.MakeRaw(fd)
	if err != nil {
		return nil, fmt.Errorf("putting the terminal in raw mode: %w", err)
	}
	return func() { _ = term.Restore(fd, old) }, nil
}

// terminalSizes sends the terminal's size now and whenever it changes.
func terminalSizes(out io.Writer) (<-chan [2]uint, func()) {
	fd := int(out.(interface{ Fd() uintptr }).Fd())
	ch := make(chan [2]uint, 1)
	send := func() {
		if w, h, err := term.GetSize(fd); err == nil {
			select {
			case ch <- [2]uint{uint(h), uint(w)}:
			default:
			}
		}
	}
	send()
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, syscall.SIGWINCH)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-winch:
				send()
			case <-done:
				return
			}
		}
	}()
	return ch, func() {
		signal.Stop(winch)
		close(done)
	}
}
