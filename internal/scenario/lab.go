package scenario

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
)

// TimersFor are the timers of sc's own lab, from the catalogue's.
func (sc *Scenario) TimersFor(base Timers) Timers {
	if sc.Timers != nil {
		return sc.Timers(base)
	}
	return base
}

// Settings are the config flags of the lab a run of sc makes for itself:
// its timers, what it needs, free ports; extra (an --image) on top.
func (sc *Scenario) Settings(t Timers, name string, extra map[string]string) map[string]string {
	flags := map[string]string{
		"name": name, "port": config.PortAuto,
		"down-after":       strconv.FormatInt(t.DownAfter.Milliseconds(), 10),
		"failover-timeout": strconv.FormatInt(t.FailoverTimeout.Milliseconds(), 10),
	}
	if sc.Lab != nil {
		for k, v := range sc.Lab(t) {
			flags[k] = v
		}
	}
	for k, v := range extra {
		flags[k] = v
	}
	return flags
}

// MakeLab starts a lab of its own for sc, in a new folder under root, and
// returns the function that removes it again, data and folder included.
func MakeLab(ctx context.Context, s *lab.Session, sc *Scenario, t Timers, root string, extra map[string]string) (remove func(), err error) {
	suffix := make([]byte, 2)
	rand.Read(suffix)
	name := fmt.Sprintf("scn-%s-%s", sc.Name, hex.EncodeToString(suffix))
	folder, err := os.MkdirTemp(root, "sentinel-lab-"+sc.Name+"-")
	if err != nil {
		return nil, fmt.Errorf("making a folder for the scenario's lab: %w", err)
	}
	dir := labdir.Dir{Root: filepath.Join(folder, name)}
	if err := os.Mkdir(dir.Root, 0o755); err != nil {
		os.RemoveAll(folder)
		return nil, err
	}
	remove = func() {
		// Removed even after Ctrl-C: the lab is the scenario's own.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		defer cancel()
		if s.Lab != nil && s.Lab.Dir == dir {
			s.Close()
			s.Down(rctx, lab.DownOptions{Volumes: true})
		}
		os.RemoveAll(folder)
	}
	flags := sc.Settings(t, name, extra)
	layers, err := lab.Layers(dir, flags)
	if err == nil {
		var cfg *config.Config
		if cfg, err = config.Load(layers); err == nil {
			_, err = s.Up(ctx, dir, cfg, lab.UpOptions{Flags: flags, Timeout: 90 * time.Second, CheckPorts: true})
		}
	}
	if err != nil {
		remove()
		return nil, fmt.Errorf("starting the scenario's own lab: %w", err)
	}
	return remove, nil
}

// CheckLab tells whether a lab someone made can run sc, and with which
// timers: its own. A setting the scenario needs must match.
func CheckLab(sc *Scenario, l *lab.Lab) (Timers, error) {
	t := Timers{DownAfter: l.Config.DownAfter, FailoverTimeout: l.Config.FailoverTimeout}
	if len(l.Topology.Sentinels()) != 3 || len(l.Topology.DataNodes()) < 3 {
		return t, fmt.Errorf("the scenarios are written for 3 sentinels and at least 2 replicas; the lab in %s has %d and %d; run it elsewhere, and it makes a lab of its own",
			l.Dir.Root, len(l.Topology.Sentinels()), len(l.Topology.DataNodes())-1)
	}
	if sc.Lab == nil {
		return t, nil
	}
	have := l.Config.Save()
	for k, v := range sc.Lab(t) {
		if have[k] != v {
			return t, fmt.Errorf("scenario %s needs %s %s, and the lab in %s has %s; run it elsewhere, and it makes a lab of its own",
				sc.Name, k, v, l.Dir.Root, have[k])
		}
	}
	return t, nil
}
