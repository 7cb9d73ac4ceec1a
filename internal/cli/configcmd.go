package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
)

type configOptions struct {
	f           *Factory
	flags       *configFlags
	output      string
	showSecrets bool
}

func newConfigCommand(f *Factory, runF func(context.Context, *configOptions) error) *cobra.Command {
	o := &configOptions{f: f}
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Print the effective lab configuration and where each value came from",
		Long: `config prints every configuration key with its effective value and its
source. Layers, lowest first: embedded defaults, flags remembered from earlier
render/up runs of this lab, sentinel-lab.yaml in the lab directory,
SENTINEL_LAB_* environment variables, flags. It writes nothing.`,
		Example: `  sentinel-lab config
  sentinel-lab config --replicas 4 -o json
  sentinel-lab config --show-secrets`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(o.output); err != nil {
				return err
			}
			return run(cmd.Context(), o, runF, runConfig)
		},
	}
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "output format: text or json")
	cmd.Flags().BoolVar(&o.showSecrets, "show-secrets", false, "print the lab password instead of masking it")
	o.flags = addConfigFlags(cmd)
	return cmd
}

func runConfig(_ context.Context, o *configOptions) error {
	l, err := o.f.resolveLab(o.flags)
	if err != nil {
		return err
	}
	return printConfig(o.f.IO.Out, l, o)
}

func checkOutput(o string) error {
	if o != "text" && o != "json" {
		return usageErrorf("output format %q is not supported; use -o text or -o json", o)
	}
	return nil
}

type configEntry struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Source string `json:"source"`
	Env    string `json:"env"`
	Flag   string `json:"flag,omitempty"`
}

func configEntries(l *lab.Lab, showSecrets bool) []configEntry {
	var out []configEntry
	for _, f := range config.Fields() {
		e := configEntry{Key: f.Key, Value: f.Value(l.Config), Source: l.Config.Sources[f.Key].String(), Env: f.Env()}
		if f.Flag != "" {
			e.Flag = "--" + f.Flag
		}
		switch f.Key {
		case "password":
			e.Value, e.Source = passwordEntry(l, showSecrets)
		case "port":
			if l.Config.PortAuto {
				e.Value = fmt.Sprintf("%d (auto)", l.Config.Port)
			}
		case "subnet":
			if l.Config.Subnet == config.SubnetAuto {
				e.Value = l.Topology.Subnet.String()
				e.Source += ", chosen automatically"
			}
		}
		out = append(out, e)
	}
	return out
}

func passwordEntry(l *lab.Lab, show bool) (value, source string) {
	switch {
	case !l.Config.Auth:
	case l.PasswordPending():
		value = "(generated at the first render)"
	case show:
		value = l.Password
	default:
		value = "******** (--show-secrets prints it)"
	}
	return value, l.PasswordSource()
}

func printConfig(w io.Writer, l *lab.Lab, o *configOptions) error {
	entries := configEntries(l, o.showSecrets)
	if o.output == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(entries)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tVALUE\tSOURCE")
	for _, e := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", e.Key, e.Value, e.Source)
	}
	return tw.Flush()
}
