package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/image"
	"github.com/sentinel-lab/sentinel-lab/internal/progress"
)

type imageBuildOptions struct {
	server, cli, tag string
}

func newImageCommand(f *Factory, streams Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "image",
		Short: "Manage the lab's image",
		Example: `  sentinel-lab image build
  sentinel-lab image build --redis-server ~/redis/src/redis-server`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	o := &imageBuildOptions{}
	build := &cobra.Command{
		Use:   "build",
		Short: "Build a minimal image from a redis-server or valkey-server binary",
		Long: `image build builds a FROM scratch image holding a redis-server or
valkey-server binary (this host's redis-server by default), its cli, their
shared libraries and the dynamic loader, through the Docker Engine API.

The server is asked for its --version: the default tag is
sentinel-lab/redis:<version>-local or sentinel-lab/valkey:<version>-local. The
cli is --redis-cli, else the one beside the server, else the one on the PATH.
Libraries are found as the dynamic loader would (DT_RPATH, LD_LIBRARY_PATH,
DT_RUNPATH, /etc/ld.so.conf, the system folders). A Valkey image also has
redis-server and redis-cli as links to valkey-server and valkey-cli, as the
official valkey image does: the lab runs redis-server.

up builds one by itself from this host's redis-server when the configured
image can neither be found nor pulled. Use this to run another server (a
patched sentinel.c, an older release), then sentinel-lab up --image <the
printed tag>.`,
		Example: `  sentinel-lab image build
  sentinel-lab image build --redis-server ~/redis/src/redis-server
  sentinel-lab image build --redis-server /usr/bin/valkey-server
  sentinel-lab up --image sentinel-lab/valkey:8.0.1-local`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runImageBuild(cmd, f, streams, o) },
	}
	build.Flags().StringVar(&o.server, "redis-server", "", "the redis-server or valkey-server binary (default: redis-server on the PATH)")
	build.Flags().StringVar(&o.cli, "redis-cli", "", "the redis-cli or valkey-cli binary (default: the one beside the server, else on the PATH)")
	build.Flags().StringVar(&o.tag, "tag", "", "tag of the image (default: sentinel-lab/<redis|valkey>:<version>-local)")
	cmd.AddCommand(build)
	return cmd
}

func runImageBuild(cmd *cobra.Command, f *Factory, streams Streams, o *imageBuildOptions) error {
	host := image.DefaultHost
	if o.server == "" {
		p, err := host.LookPath("redis-server")
		if err != nil {
			return fmt.Errorf("no redis-server on the PATH to build from; give one with --redis-server PATH, or install it (`apt-get install redis-server`)")
		}
		o.server = p
	}
	// The binaries are checked before anything connects: a wrong file
	// gets its error, and no image.
	b, err := image.Inspect(cmd.Context(), host, o.server, o.cli)
	if err != nil {
		return err
	}
	tag := o.tag
	if tag == "" {
		tag = image.LocalTag(b.Is)
	}
	eng, err := f.Engine()
	if err != nil {
		return err
	}
	if _, err := eng.Ping(cmd.Context()); err != nil {
		return err
	}
	if b.Note != "" {
		fmt.Fprintf(streams.Err, "note: %s\n", b.Note)
	}
	p := progress.New(streams.Err)
	if err := image.Build(cmd.Context(), eng, b, tag, p.Writer()); err != nil {
		return err
	}
	with := ""
	if b.CLI != "" {
		with = " and " + b.CLI
	}
	fmt.Fprintf(streams.Out, "Built %s (%s) from %s%s.\nStart a lab on it: sentinel-lab up --image %s\n", tag, b.Is, b.Server, with, tag)
	return nil
}
