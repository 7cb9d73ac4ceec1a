package cli

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/fault"
	"github.com/sentinel-lab/sentinel-lab/internal/present"
)

func TestFaultFlags(t *testing.T) {
	var got *faultOptions
	capture := func(_ context.Context, o *faultOptions) error { got = o; return nil }
	if err := parse(newFaultCommand(&Factory{}, capture), "master", "--mode", "loss", "--loss", "30%", "--from", "sentinel-1,sentinel-2", "--for", "2s", "--wait-lock"); err != nil {
		t.Fatal(err)
	}
	want := fault.Spec{Mode: fault.Loss, LossPercent: 30, From: []string{"sentinel-1", "sentinel-2"}, For: 2 * time.Second}
	if !slices.Equal(got.services, []string{"master"}) || got.spec.Mode != want.Mode || got.spec.LossPercent != 30 ||
		!slices.Equal(got.spec.From, want.From) || got.spec.For != want.For || !got.waitLock {
		t.Errorf("options %+v", got)
	}
	if err := parse(newFaultCommand(&Factory{}, capture), "master", "--mode", "loss"); err != nil || got.spec.LossPercent != 100 {
		t.Errorf("loss without --loss is a partition: %v %+v", err, got.spec)
	}
	for args, want := range map[string]string{
		"":                                     "name the nodes to fault",
		"master --mode nuke":                   "use --mode kill",
		"master --mode loss --loss lots":       "--loss \"lots\" is not a share of packets",
		"master --mode sleep":                  "--mode sleep needs --for",
		"master --mode kill --loss 30%":        "--loss applies to --mode loss only",
		"master --mode kill --from sentinel-1": "--from applies to --mode loss only",
		"master --mode delay":                  "--mode delay needs --delay",
		"master -o yaml":                       "use -o text or -o json",
	} {
		got = nil
		err := parse(newFaultCommand(&Factory{}, capture), strings.Fields(args)...)
		if err == nil || !strings.Contains(err.Error(), want) || got != nil {
			t.Errorf("fault %s: %v (ran: %v), want %q", args, err, got != nil, want)
		}
	}
}

func TestKillMasterAndSoakTakeTheNewModes(t *testing.T) {
	var km *killMasterOptions
	if err := parse(newKillMasterCommand(&Factory{}, func(_ context.Context, o *killMasterOptions) error { km = o; return nil }),
		"--mode", "sleep", "--for", "5s"); err != nil || km.fault.Mode != fault.Sleep || km.fault.For != 5*time.Second {
		t.Errorf("kill-master --mode sleep: %v %+v", err, km)
	}
	for args, want := range map[string]string{
		"--mode kill --for 2s":        "kill-master --for applies to --mode sleep only",
		"--mode crash-after-election": "is not one of kill, stop, pause, disconnect, sleep, delay, loss",
		"--mode loss --loss 101%":     "--loss \"101%\"",
	} {
		if err := parse(newKillMasterCommand(&Factory{}, func(context.Context, *killMasterOptions) error { return nil }), strings.Fields(args)...); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("kill-master %s: %v, want %q", args, err, want)
		}
	}
	var so *soakOptions
	if err := parse(newSoakCommand(&Factory{}, func(_ context.Context, o *soakOptions) error { so = o; return nil }), "--scenario", "master-crash", "--rounds", "3"); err != nil || so.scenario != "master-crash" || so.rounds != 3 {
		t.Errorf("soak --scenario: %v %+v", err, so)
	}
	for args, want := range map[string]string{
		"--scenario master-crash --mode pause": "--mode does not apply with --scenario",
		"--scenario master-crash --load":       "--load does not apply with --scenario",
		"--scenario nope":                      `there is no scenario "nope"`,
	} {
		if err := parse(newSoakCommand(&Factory{}, func(context.Context, *soakOptions) error { return nil }), strings.Fields(args)...); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("soak %s: %v, want %q", args, err, want)
		}
	}
}

func TestScenarioFlags(t *testing.T) {
	var got *scenarioRunOptions
	capture := func(_ context.Context, o *scenarioRunOptions) error { got = o; return nil }
	if err := parse(newScenarioRunCommand(&Factory{}, capture), "sentinel-tilt", "-o", "json", "--lang", "zh", "--report", "t.html", "--image", "redis:7.4"); err != nil {
		t.Fatal(err)
	}
	if got.name != "sentinel-tilt" || got.output != "json" || got.lang != present.Chinese || got.report != "t.html" || got.image != "redis:7.4" {
		t.Errorf("options %+v", got)
	}
	for args, want := range map[string]string{
		"":                        "name one scenario",
		"a b":                     "name one scenario",
		"nope":                    "sentinel-lab scenario list` shows them: master-crash",
		"master-crash --lang fr":  "--lang zh",
		"master-crash --report -": "needs a file name",
	} {
		got = nil
		err := parse(newScenarioRunCommand(&Factory{}, capture), strings.Fields(args)...)
		if err == nil || !strings.Contains(err.Error(), want) || got != nil {
			t.Errorf("scenario run %s: %v, want %q", args, err, want)
		}
	}
}
