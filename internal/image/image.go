// Package image makes sure the lab's image is on the engine: present, else
// pulled, else built locally from the host's redis-server (for machines
// without a registry), else a clear error.
package image

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"strings"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
)

// LocalRepository names images built from the host's Redis.
const LocalRepository = "sentinel-lab/redis"

// Source says how the image came to be there.
type Source string

// How an image was obtained.
const (
	Present Source = "present"
	Pulled  Source = "pulled"
	Built   Source = "built locally"
)

// Result is the image the lab runs.
type Result struct {
	// Ref is the image to run: the requested one, or a locally built one.
	Ref    string
	Source Source
	// Note explains a fallback, for the user.
	Note string
}

// Host describes what the host offers for a local build; tests replace it.
type Host struct {
	// LookPath finds an executable, as exec.LookPath.
	LookPath func(string) (string, error)
}

// DefaultHost is the real host.
var DefaultHost = Host{LookPath: exec.LookPath}

// Ensure makes ref available: present, pulled, or replaced by a local build
// from the host's redis-server when the pull fails.
func Ensure(ctx context.Context, eng engine.Engine, host Host, ref string, progress io.Writer) (Result, error) {
	if host.LookPath == nil {
		host = DefaultHost
	}
	ok, err := eng.ImageExists(ctx, ref)
	if err != nil {
		return Result{}, err
	}
	if ok {
		return Result{Ref: ref, Source: Present}, nil
	}
	fmt.Fprintf(progress, "Pulling %s ...\n", ref)
	pullErr := eng.PullImage(ctx, ref, progress)
	if pullErr == nil {
		return Result{Ref: ref, Source: Pulled}, nil
	}
	if ctx.Err() != nil {
		return Result{}, ctx.Err()
	}
	server, err := host.LookPath("redis-server")
	if err != nil {
		return Result{}, fmt.Errorf("image %s is not on this machine and cannot be pulled (%v); load it (`docker load`), choose another with --image, or install Redis on this host (`apt-get install redis-server`) so sentinel-lab can build one locally",
			ref, pullErr)
	}
	local, err := LocalTag(server)
	if err != nil {
		return Result{}, err
	}
	note := fmt.Sprintf("%s cannot be pulled; using %s, built from this host's %s", ref, local, server)
	if ok, err := eng.ImageExists(ctx, local); err == nil && ok {
		return Result{Ref: local, Source: Present, Note: note}, nil
	}
	fmt.Fprintf(progress, "%s cannot be pulled (%s); building %s from %s ...\n", ref, firstLine(pullErr), local, server)
	if err := Build(ctx, eng, host, local, progress); err != nil {
		return Result{}, err
	}
	return Result{Ref: local, Source: Built, Note: note}, nil
}

// LocalTag is the tag of the image built from a redis-server binary:
// sentinel-lab/redis:<version>-local.
func LocalTag(server string) (string, error) {
	out, err := exec.Command(server, "--version").Output()
	if err != nil {
		return "", fmt.Errorf("running %s --version: %w", server, err)
	}
	m := regexp.MustCompile(`v=([0-9][0-9A-Za-z.\-]*)`).FindSubmatch(out)
	if m == nil {
		return "", fmt.Errorf("%s --version printed %q, which does not look like Redis", server, strings.TrimSpace(string(out)))
	}
	return fmt.Sprintf("%s:%s-local", LocalRepository, m[1]), nil
}

// Build builds tag from the host's redis-server and redis-cli: a FROM
// scratch image holding the binaries, their shared libraries and the loader.
func Build(ctx context.Context, eng engine.Engine, host Host, tag string, progress io.Writer) error {
	server, err := host.LookPath("redis-server")
	if err != nil {
		return fmt.Errorf("no redis-server on this host to build %s from; install it (`apt-get install redis-server`)", tag)
	}
	files := []string{server}
	if cli, err := host.LookPath("redis-cli"); err == nil {
		files = append(files, cli)
	}
	buildContext, err := Context(files)
	if err != nil {
		return err
	}
	return eng.BuildImage(ctx, tag, buildContext, progress)
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
