// Package image makes sure the lab's image is on the engine: present, else
// pulled, else built locally from the host's redis-server (for machines
// without a registry), else a clear error. `image build` builds one from
// any redis-server or valkey-server binary.
package image

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/server"
)

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
	// Run runs a binary with arguments (`--version`) and returns its
	// output; nil runs it for real, with a timeout.
	Run func(ctx context.Context, path string, args ...string) (string, error)
	// libs finds shared libraries; the zero value searches this host.
	libs *resolver
}

// DefaultHost is the real host.
var DefaultHost = Host{LookPath: exec.LookPath, Run: runVersion}

func (h Host) orDefault() Host {
	if h.LookPath == nil {
		h.LookPath = exec.LookPath
	}
	if h.Run == nil {
		h.Run = runVersion
	}
	return h
}

func (h Host) resolver() resolver {
	if h.libs != nil {
		return *h.libs
	}
	return hostResolver()
}

// Ensure makes ref available: present, pulled, or replaced by a local build
// from the host's redis-server when the pull fails.
func Ensure(ctx context.Context, eng engine.Engine, host Host, ref string, progress io.Writer) (Result, error) {
	host = host.orDefault()
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
	serverPath, err := host.LookPath("redis-server")
	if err != nil {
		return Result{}, fmt.Errorf("image %s is not on this machine and cannot be pulled (%v); load it (`docker load`), choose another with --image, build one with `sentinel-lab image build --redis-server PATH`, or install Redis on this host (`apt-get install redis-server`) so sentinel-lab can build one locally",
			ref, pullErr)
	}
	// Only --version is asked before the image built last time is used;
	// the libraries are looked for when one is built.
	is, err := Identify(ctx, host, serverPath)
	if err != nil {
		return Result{}, err
	}
	local := LocalTag(is)
	note := fmt.Sprintf("%s cannot be pulled; using %s, built from this host's %s", ref, local, serverPath)
	if ok, err := eng.ImageExists(ctx, local); err == nil && ok {
		return Result{Ref: local, Source: Present, Note: note}, nil
	}
	b, err := Inspect(ctx, host, serverPath, "")
	if err != nil {
		return Result{}, err
	}
	fmt.Fprintf(progress, "%s cannot be pulled (%s); building %s from %s ...\n", ref, firstLine(pullErr), local, serverPath)
	if err := Build(ctx, eng, b, local, progress); err != nil {
		return Result{}, err
	}
	return Result{Ref: local, Source: Built, Note: note}, nil
}

// LocalTag is the tag of an image built from a server binary:
// sentinel-lab/redis:7.4.1-local, sentinel-lab/valkey:8.0.1-local.
func LocalTag(s server.Server) string {
	return fmt.Sprintf("sentinel-lab/%s:%s-local", s.Kind, s.Version)
}

// Build builds tag from b: a FROM scratch image holding the server, its
// cli, their shared libraries and the loader.
func Build(ctx context.Context, eng engine.Engine, b *Binaries, tag string, progress io.Writer) error {
	buildContext, err := Context(b)
	if err != nil {
		return err
	}
	return eng.BuildImage(ctx, tag, buildContext, progress)
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
