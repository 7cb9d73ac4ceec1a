package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/present"
)

type connectOptions struct {
	f      *Factory
	output string
}

func newConnectCommand(f *Factory, runF func(context.Context, *connectOptions) error) *cobra.Command {
	o := &connectOptions{f: f}
	cmd := &cobra.Command{
		Use:   "connect",
		Short: "Show how an application on this host reaches the lab through its sentinels",
		Long: `connect prints what an application on this host gives its Sentinel client:
the master name, the sentinels' published addresses and the password file,
what the sentinels hand out under the lab's --addressing and whether this
host can use it, and ready snippets for redis-cli, go-redis (FailoverClient),
redis-py (Sentinel) and a Lettuce/Jedis sentinel URI.

With -o json it prints exactly the keys "master_name", "sentinels"
(host:port strings), "addressing" and "password_file" ("" when auth is off).
With -o hosts (host addressing) it prints only the line this host's hosts
file needs so the names the sentinels hand out resolve here.
It reads the lab directory only: Docker is not asked.`,
		Example: `  sentinel-lab connect
  sentinel-lab connect -o json | jq -r '.sentinels[]'
  sentinel-lab connect -o hosts | sudo tee -a /etc/hosts`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.output != "hosts" {
				if err := checkOutput(o.output); err != nil {
					return err
				}
			}
			return run(cmd.Context(), o, runF, runConnect)
		},
	}
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "output format: text, json, or hosts (the hosts-file line of host addressing)")
	return cmd
}

func runConnect(_ context.Context, o *connectOptions) error {
	l, err := o.f.OpenLab()
	if err != nil {
		return err
	}
	c := l.Connection()
	switch o.output {
	case "json":
		return writeJSON(o.f.IO.Out, c)
	case "hosts":
		if c.HostsLine == "" {
			return usageErrorf("lab %s uses addressing %s, whose names no hosts file on this host needs; -o hosts is for --addressing host", l.Config.Name, c.Addressing)
		}
		_, err := fmt.Fprintln(o.f.IO.Out, c.HostsLine)
		return err
	}
	present.WriteConnect(o.f.IO.Out, c)
	return nil
}
