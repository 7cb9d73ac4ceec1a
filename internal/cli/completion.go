package cli

import (
	"slices"

	"github.com/spf13/cobra"
)

func newCompletionCommand(streams Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish",
		Short: "Print the shell completion script for bash, zsh or fish",
		Long: `completion prints a script that completes sentinel-lab's commands and flags
in your shell. Load it once per session, or install it where your shell
looks for completions.`,
		Example: `  source <(sentinel-lab completion bash)
  sentinel-lab completion bash > /etc/bash_completion.d/sentinel-lab
  sentinel-lab completion zsh > "${fpath[1]}/_sentinel-lab"
  sentinel-lab completion fish > ~/.config/fish/completions/sentinel-lab.fish`,
		ValidArgs: []string{"bash", "zsh", "fish"},
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErrorf("name the shell: sentinel-lab completion bash|zsh|fish")
			}
			switch args[0] {
			case "bash", "zsh", "fish":
				return nil
			}
			return usageErrorf("no completion for %q; the shells are bash, zsh and fish", args[0])
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			root := cmd.Root()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(streams.Out, true)
			case "zsh":
				return root.GenZshCompletion(streams.Out)
			default:
				return root.GenFishCompletion(streams.Out, true)
			}
		},
	}
}

// exampleForHelp gives cobra's help command an example like every other
// command's. Call it after every command's Args is set: help takes any.
func exampleForHelp(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	for _, c := range root.Commands() {
		if c.Name() == "help" && c.Example == "" {
			c.Example = "  sentinel-lab help kill-master"
		}
	}
}

// completeServices completes the lab's service names (of the lab in --dir).
func completeServices(f *Factory, max int) cobra.CompletionFunc {
	return func(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if max > 0 && len(args) >= max {
			return nil, cobra.ShellCompDirectiveDefault
		}
		l, err := f.OpenLab()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []cobra.Completion
		for _, s := range l.Topology.Services() {
			if !slices.Contains(args, s) {
				out = append(out, s)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}
