package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/lab"
)

type upOptions struct {
	retain  bool
	timeout time.Duration
	output  string
}

func newUpCommand(g *globalOptions, f *Factory, streams Streams) *cobra.Command {
	o := &upOptions{}
	var flags *configFlags
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Render the lab, start it and wait until the sentinels agree",
		Long: `up renders the lab (as render does), loads compose/docker-compose.yml plus
compose/docker-compose.override.yml when present, creates the network and
containers through the Docker Engine API and waits until the lab is healthy:
the master reports every replica online, and every sentinel agrees on the
master, sees every replica and every other sentinel, and answers OK to
SENTINEL CKQUORUM.

On a lab that is already up and healthy it does nothing; on a partly running
lab it starts what is missing. The image is used if present, else pulled,
else built from this host's redis-server.`,
		Example: `  sentinel-lab up
  sentinel-lab up --replicas 4 --sentinels 5 --down-after 1000
  sentinel-lab up --image valkey/valkey:8 --port 7000`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(o.output); err != nil {
				return err
			}
			if err := checkTimeout(o.timeout); err != nil {
				return err
			}
			dir, err := g.labDir()
			if err != nil {
				return err
			}
			cfg, err := flags.load(dir)
			if err != nil {
				return err
			}
			env, err := f.Env(progressWriter(o.output, streams))
			if err != nil {
				return err
			}
			res, err := env.Up(cmd.Context(), dir, cfg, lab.UpOptions{
				Flags: flags.set(), Timeout: o.timeout, CheckPorts: daemonIsLocal(), Retain: o.retain,
			})
			if err != nil && cmd.Context().Err() != nil {
				return &InterruptedError{Err: err, Advice: "what up started carries the lab's labels: `sentinel-lab up` completes the lab, `sentinel-lab down` removes it"}
			}
			if err != nil {
				return err
			}
			return printUp(streams.Out, res, o.output)
		},
	}
	cmd.Flags().DurationVar(&o.timeout, "timeout", 90*time.Second, "how long to wait for the lab to be healthy")
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "output format: text or json")
	cmd.Flags().BoolVar(&o.retain, "retain", false, "keep what a failed up created, to inspect it")
	flags = addConfigFlags(cmd)
	return cmd
}

// progressWriter is where progress goes: stderr, so stdout holds only the
// result, and nowhere with -o json.
func progressWriter(output string, streams Streams) io.Writer {
	if output == "json" {
		return nil
	}
	return streams.Err
}

// daemonIsLocal tells whether published ports are on this host, so they can
// be checked before anything is created.
func daemonIsLocal() bool {
	h := os.Getenv("DOCKER_HOST")
	return h == "" || strings.HasPrefix(h, "unix://")
}

type upJSON struct {
	Lab          string         `json:"lab"`
	AlreadyUp    bool           `json:"already_up"`
	Image        string         `json:"image"`
	ImageSource  string         `json:"image_source"`
	Created      []string       `json:"created"`
	Started      []string       `json:"started"`
	Recreated    []string       `json:"recreated"`
	HealthyAfter int64          `json:"healthy_after_ms"`
	Master       *lab.NodeRef   `json:"master"`
	Nodes        []nodeLocation `json:"nodes"`
}

type nodeLocation struct {
	Service   string `json:"service"`
	Role      string `json:"role"`
	Address   string `json:"address"`
	Published string `json:"published"`
}

func locations(l *lab.Lab) []nodeLocation {
	var out []nodeLocation
	for _, n := range l.Topology.Nodes {
		out = append(out, nodeLocation{
			Service: n.Service, Role: string(n.Role), Address: n.Addr.String(),
			Published: fmt.Sprintf("%s:%d", l.Config.Bind, n.HostPort),
		})
	}
	return out
}

func printUp(w io.Writer, res *lab.UpResult, output string) error {
	l := res.Lab
	var master *lab.NodeRef
	if res.Health.HasMaster {
		master = &lab.NodeRef{Service: res.Health.Master.Service, Address: res.Health.Master.Addr.String()}
	}
	if output == "json" {
		return writeJSON(w, upJSON{
			Lab: l.Config.Name, AlreadyUp: res.AlreadyUp, Image: res.Image.Ref, ImageSource: string(res.Image.Source),
			Created: orEmpty(res.Created), Started: orEmpty(res.Started), Recreated: orEmpty(res.Recreated),
			HealthyAfter: res.HealthyAfter.Milliseconds(), Master: master, Nodes: locations(l),
		})
	}
	if res.AlreadyUp {
		fmt.Fprintf(w, "Lab %q is already up and healthy; nothing to do.\n", l.Config.Name)
	} else {
		fmt.Fprintf(w, "Lab %q is up and healthy, %s after its containers started (%s in all).\n", l.Config.Name,
			res.HealthyAfter.Round(10*time.Millisecond), res.Took.Round(10*time.Millisecond))
	}
	if master != nil {
		fmt.Fprintf(w, "Master: %s at %s (sentinels monitor it as %q)\n", master.Service, master.Address, l.Config.MasterName)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nNODE\tCREATED AS\tIN-NETWORK\tON THIS HOST")
	for _, n := range locations(l) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", n.Service, n.Role, n.Address, n.Published)
	}
	tw.Flush()
	if l.Config.Auth {
		fmt.Fprintf(w, "\nAuth is on; the password is in %s (sentinel-lab config --show-secrets).\n", l.Dir.Rel(l.Dir.PasswordFile()))
	}
	fmt.Fprintln(w, "Next: sentinel-lab status, sentinel-lab kill-master")
	return nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
