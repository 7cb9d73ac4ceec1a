package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/image"
	"github.com/sentinel-lab/sentinel-lab/internal/progress"
)

func newImageCommand(f *Factory, streams Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "image",
		Short: "Manage the lab's image",
		Example: `  sentinel-lab image build
  sentinel-lab image build --tag my/redis:local`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var tag string
	build := &cobra.Command{
		Use:   "build",
		Short: "Build a minimal Redis image from this host's redis-server",
		Long: `image build builds a FROM scratch image holding this host's redis-server and
redis-cli, their shared libraries and the dynamic loader, through the Docker
Engine API. up does this by itself when the configured image can neither be
found nor pulled; use this on machines without a registry, then
sentinel-lab up --image <the printed tag>.`,
		Example: `  sentinel-lab image build
  sentinel-lab up --image sentinel-lab/redis:7.0.15-local`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			eng, err := f.Engine()
			if err != nil {
				return err
			}
			if _, err := eng.Ping(cmd.Context()); err != nil {
				return err
			}
			if tag == "" {
				server, err := image.DefaultHost.LookPath("redis-server")
				if err != nil {
					return fmt.Errorf("no redis-server on this host to build from; install it (`apt-get install redis-server`)")
				}
				if tag, err = image.LocalTag(server); err != nil {
					return err
				}
			}
			p := progress.New(streams.Err)
			if err := image.Build(cmd.Context(), eng, image.DefaultHost, tag, p.Writer()); err != nil {
				return err
			}
			fmt.Fprintf(streams.Out, "Built %s.\n", tag)
			return nil
		},
	}
	build.Flags().StringVar(&tag, "tag", "", "tag of the image (default: sentinel-lab/redis:<version>-local)")
	cmd.AddCommand(build)
	return cmd
}
