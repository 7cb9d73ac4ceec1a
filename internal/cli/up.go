package cli

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/present"
)

type upOptions struct {
	waitLock bool
	f        *Factory
	flags    *configFlags
	retain   bool
	timeout  time.Duration
	output   string
	trouble  lab.Trouble
}

func newUpCommand(f *Factory, runF func(context.Context, *upOptions) error) *cobra.Command {
	o := &upOptions{f: f}
	var trouble string
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
			var err error
			if o.trouble, err = lab.ParseTrouble(trouble); err != nil {
				return &UsageError{Err: err}
			}
			return run(cmd.Context(), o, runF, runUp)
		},
	}
	cmd.Flags().DurationVar(&o.timeout, "timeout", 90*time.Second, "how long to wait for the lab to be healthy")
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "output format: text or json")
	cmd.Flags().BoolVar(&o.retain, "retain", false, "keep what a failed up created, to inspect it")
	cmd.Flags().StringVar(&trouble, "trouble", "wait",
		"when the sentinels had trouble while the lab started (nodes flagged down, a failover tried): wait until they can fail over again, fail, or report and go on")
	o.flags = addConfigFlags(cmd)
	addWaitLock(cmd, &o.waitLock)
	return cmd
}

func runUp(ctx context.Context, o *upOptions) error {
	release, err := o.f.lockLab(ctx, "up", o.waitLock)
	if err != nil {
		return err
	}
	defer release()
	dir, err := o.f.LabDir()
	if err != nil {
		return err
	}
	cfg, err := o.flags.load(dir)
	if err != nil {
		return err
	}
	s, err := o.f.NewSession(o.f.progressWriter(o.output))
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := s.Up(ctx, dir, cfg, lab.UpOptions{
		Flags: o.flags.set(), Timeout: o.timeout, CheckPorts: daemonIsLocal(), Retain: o.retain, Trouble: o.trouble,
	})
	if err != nil && ctx.Err() != nil {
		return &InterruptedError{Err: err, Advice: "what up started carries the lab's labels: `sentinel-lab up` completes the lab, `sentinel-lab down` removes it"}
	}
	if err != nil {
		return err
	}
	if o.output == "json" {
		return writeJSON(o.f.IO.Out, present.UpJSON(res))
	}
	present.WriteUp(o.f.IO.Out, res)
	return nil
}

// daemonIsLocal tells whether published ports are on this host, so they can
// be checked before anything is created.
func daemonIsLocal() bool {
	h := os.Getenv("DOCKER_HOST")
	return h == "" || strings.HasPrefix(h, "unix://")
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
