package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/sentinel-lab/sentinel-lab/internal/fault"
	"github.com/sentinel-lab/sentinel-lab/internal/present"
)

// parse runs cmd's flag parsing and checks on args; runF captured the
// options unless they were refused.
func parse(cmd *cobra.Command, args ...string) error {
	cmd.SetArgs(args)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	return cmd.ExecuteContext(context.Background())
}

func TestKillMasterFlags(t *testing.T) {
	var got *killMasterOptions
	capture := func(_ context.Context, o *killMasterOptions) error { got = o; return nil }
	if err := parse(newKillMasterCommand(&Factory{}, capture), "--mode", "pause", "--lang", "zh", "--load", "--rate", "50", "--wait-replicas", "1", "--timeout", "30s", "--force"); err != nil {
		t.Fatal(err)
	}
	if got.fault.Mode != fault.Pause || got.lang != present.Chinese || !got.load.on || got.load.options().Rate != 50 ||
		got.load.options().WaitReplicas != 1 || got.timeout != 30*time.Second || !got.force || got.output != "text" {
		t.Errorf("options %+v, load %+v", got, got.load)
	}
	for args, want := range map[string]string{
		"--mode nuke":        "use --mode kill",
		"--lang fr":          "--lang zh",
		"-o yaml":            "use -o text or -o json",
		"--rate 0":           "--rate 0 is out of range",
		"--timeout 0s":       "--timeout 0s must be positive",
		"--report -":         "needs a file name",
		"--wait-replicas -1": "negative",
	} {
		got = nil
		err := parse(newKillMasterCommand(&Factory{}, capture), strings.Fields(args)...)
		if err == nil || !strings.Contains(err.Error(), want) || got != nil {
			t.Errorf("kill-master %s: %v (ran: %v), want %q", args, err, got != nil, want)
		}
	}
}

func TestSoakReviveAndReportFlags(t *testing.T) {
	var soak *soakOptions
	if err := parse(newSoakCommand(&Factory{}, func(_ context.Context, o *soakOptions) error { soak = o; return nil }),
		"--rounds", "3", "--mode", "disconnect", "--load"); err != nil {
		t.Fatal(err)
	}
	if soak.rounds != 3 || soak.fault.Mode != fault.Disconnect || !soak.load.on {
		t.Errorf("soak options %+v", soak)
	}
	if err := parse(newSoakCommand(&Factory{}, nil), "--rounds", "0"); err == nil || !strings.Contains(err.Error(), "at least one round") {
		t.Errorf("soak --rounds 0: %v", err)
	}
	var rv *reviveOptions
	if err := parse(newReviveCommand(&Factory{}, func(_ context.Context, o *reviveOptions) error { rv = o; return nil }),
		"master", "sentinel-1", "-o", "json"); err != nil {
		t.Fatal(err)
	}
	if strings.Join(rv.services, ",") != "master,sentinel-1" || rv.output != "json" || rv.timeout != 90*time.Second {
		t.Errorf("revive options %+v", rv)
	}
	var rp *reportOptions
	if err := parse(newReportCommand(&Factory{}, func(_ context.Context, o *reportOptions) error { rp = o; return nil }), "-f", "x.html", "--lang", "zh"); err != nil {
		t.Fatal(err)
	}
	if rp.file != "x.html" || rp.lang != present.Chinese {
		t.Errorf("report options %+v", rp)
	}
	var lg *logsOptions
	if err := parse(newLogsCommand(&Factory{}, func(_ context.Context, o *logsOptions) error { lg = o; return nil }), "master", "-f", "--tail", "5", "--since", "10m"); err != nil {
		t.Fatal(err)
	}
	if !lg.follow || lg.tail != 5 || lg.since.IsZero() || strings.Join(lg.services, ",") != "master" {
		t.Errorf("logs options %+v", lg)
	}
	if err := parse(newLogsCommand(&Factory{}, nil), "--since", "yesterday"); err == nil {
		t.Error("logs --since yesterday was accepted")
	}
	var up *upOptions
	if err := parse(newUpCommand(&Factory{}, func(_ context.Context, o *upOptions) error { up = o; return nil }), "--retain", "--replicas", "4", "--timeout", "2m"); err != nil {
		t.Fatal(err)
	}
	if !up.retain || up.timeout != 2*time.Minute || up.flags.set()["replicas"] != "4" {
		t.Errorf("up options %+v, flags %v", up, up.flags.set())
	}
}
