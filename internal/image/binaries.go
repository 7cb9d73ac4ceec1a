package image

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/server"
)

// Binaries are the host files a local image is built from.
type Binaries struct {
	// Server is the redis-server or valkey-server, as given.
	Server string
	// Is what its --version says it is.
	Is server.Server
	// CLI is the redis-cli or valkey-cli, "" for none; CLIIs what its
	// --version says.
	CLI   string
	CLIIs server.Server
	// Libraries are the loader and every shared library of both, at their
	// host paths.
	Libraries []string
	// Note says what the image lacks, for the user.
	Note string
}

// versionTimeout bounds `<binary> --version`: a file that is not a server
// might do anything else.
const versionTimeout = 10 * time.Second

// Inspect checks that serverPath is a Redis or Valkey server this host can
// run, and finds its shared libraries and a matching cli: cliPath, or
// beside the server, or on the PATH. Every problem is an error naming the
// file and what to do; nothing is built.
func Inspect(ctx context.Context, host Host, serverPath, cliPath string) (*Binaries, error) {
	host = host.orDefault()
	b := &Binaries{Server: serverPath}
	var err error
	if b.Is, err = Identify(ctx, host, serverPath); err != nil {
		return nil, err
	}
	if cliPath == "" {
		cliPath = findCLI(host, serverPath, b.Is.Kind)
		if cliPath == "" {
			b.Note = fmt.Sprintf("no %s beside %s nor on the PATH, so the image has none and `sentinel-lab cli` will not work in it; give one with --redis-cli", b.Is.Kind.CLIBinary(), serverPath)
		}
	}
	if cliPath != "" {
		if err := checkExecutable(cliPath, "--redis-cli"); err != nil {
			return nil, err
		}
		out, err := host.Run(ctx, cliPath, "--version")
		if err == nil {
			b.CLIIs, err = server.CLIFromVersionOutput(out)
		}
		if err != nil {
			return nil, fmt.Errorf("--redis-cli %s is not redis-cli or valkey-cli: %v", cliPath, err)
		}
		b.CLI = cliPath
	}
	seen := map[string]bool{}
	for _, exe := range []string{b.Server, b.CLI} {
		if exe == "" {
			continue
		}
		libs, err := host.resolver().libraries(exe)
		if err != nil {
			return nil, fmt.Errorf("cannot build an image from %s: %w", exe, err)
		}
		for _, l := range libs {
			if !seen[l] {
				seen[l] = true
				b.Libraries = append(b.Libraries, l)
			}
		}
	}
	return b, nil
}

// Identify asks a server binary what it is (`--version`), after checking
// it is an executable of this host.
func Identify(ctx context.Context, host Host, serverPath string) (server.Server, error) {
	host = host.orDefault()
	if err := checkExecutable(serverPath, "--redis-server"); err != nil {
		return server.Server{}, err
	}
	out, err := host.Run(ctx, serverPath, "--version")
	if err != nil {
		return server.Server{}, fmt.Errorf("--redis-server %s: running `%s --version`: %v; give the path of a redis-server or valkey-server", serverPath, serverPath, err)
	}
	s, err := server.FromVersionOutput(out)
	if err != nil {
		return server.Server{}, fmt.Errorf("--redis-server %s is not a Redis or Valkey server: %v; give the path of a redis-server or valkey-server", serverPath, err)
	}
	return s, nil
}

// checkExecutable refuses what cannot be an executable of this host before
// anything runs it: missing, a folder, not executable, not ELF.
func checkExecutable(path, flag string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("%s %s: no such file", flag, path)
	case err != nil:
		return fmt.Errorf("%s %s: %v", flag, path, err)
	case fi.IsDir():
		return fmt.Errorf("%s %s is a folder; give the path of the binary itself (such as %s)", flag, path, filepath.Join(path, "redis-server"))
	case fi.Mode().Perm()&0o111 == 0:
		return fmt.Errorf("%s %s is not executable; `chmod +x %s`, or give the right file", flag, path, path)
	}
	if _, err := readObject(path); errors.Is(err, errNotELF) {
		return fmt.Errorf("%s %s is not a program this machine runs (not an ELF executable); give the path of a compiled redis-server or valkey-server", flag, path)
	} else if err != nil {
		return fmt.Errorf("%s %s: %v", flag, path, err)
	}
	return nil
}

// findCLI looks for the server's cli beside it (a build folder holds both),
// then on the PATH; Valkey's cli may also go by redis-cli.
func findCLI(host Host, serverPath string, kind server.Kind) string {
	names := []string{kind.CLIBinary()}
	if kind == server.Valkey {
		names = append(names, server.Redis.CLIBinary())
	}
	for _, n := range names {
		p := filepath.Join(filepath.Dir(serverPath), n)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	for _, n := range names {
		if p, err := host.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// runVersion runs `path args...` with a timeout and returns its output.
func runVersion(ctx context.Context, path string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, versionTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LD_LIBRARY_PATH=" + os.Getenv("LD_LIBRARY_PATH")}
	out, err := cmd.Output()
	if ctx.Err() != nil {
		return "", fmt.Errorf("it did not finish within %s", versionTimeout)
	}
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && len(ee.Stderr) > 0 {
			return "", fmt.Errorf("%v: %s", err, strings.TrimSpace(firstLine(errors.New(string(ee.Stderr)))))
		}
		return "", err
	}
	return string(out), nil
}
