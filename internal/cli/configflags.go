package cli

import (
	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
)

// rawValue keeps a flag as typed: config.Load parses and validates every
// layer the same way, so a bad flag is reported with the other problems.
type rawValue struct {
	kind  config.Kind
	value string
}

func (r *rawValue) String() string     { return r.value }
func (r *rawValue) Set(s string) error { r.value = s; return nil }
func (r *rawValue) Type() string       { return string(r.kind) }

// configFlags are the flags that set lab configuration keys.
type configFlags struct {
	cmd *cobra.Command
}

// addConfigFlags registers a flag for every configuration key that has one.
func addConfigFlags(cmd *cobra.Command) *configFlags {
	for _, f := range config.Fields() {
		if f.Flag == "" {
			continue
		}
		v := &rawValue{kind: f.Kind}
		fl := cmd.Flags().VarPF(v, f.Flag, "", f.Usage)
		if f.Kind == config.KindBool {
			fl.NoOptDefVal = "true"
		}
		if f.Choices != nil {
			_ = cmd.RegisterFlagCompletionFunc(f.Flag, cobra.FixedCompletions(f.Choices, cobra.ShellCompDirectiveNoFileComp))
		}
	}
	return &configFlags{cmd: cmd}
}

// set returns the flags the user gave, by flag name.
func (c *configFlags) set() map[string]string {
	out := map[string]string{}
	for _, f := range config.Fields() {
		if f.Flag != "" && c.cmd.Flags().Changed(f.Flag) {
			out[f.Flag] = c.cmd.Flags().Lookup(f.Flag).Value.String()
		}
	}
	return out
}

// load layers the configuration of the lab in dir under the given flags.
func (c *configFlags) load(dir labdir.Dir) (*config.Config, error) {
	layers, err := lab.Layers(dir, c.set())
	if err != nil {
		return nil, err
	}
	return config.Load(layers)
}
