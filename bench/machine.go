package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
)

// observation is what else was going on on the machine at one moment:
// other sessions' containers share the two cores with the benchmark.
type observation struct {
	LoadAvg string
	// Others are the running containers that are not this invocation's,
	// counted by compose project (or name when they have none).
	Others map[string]int
	Err    error
}

func (o observation) count() int {
	n := 0
	for _, c := range o.Others {
		n += c
	}
	return n
}

func (o observation) String() string {
	if o.Err != nil {
		return "unknown (" + o.Err.Error() + ")"
	}
	if len(o.Others) == 0 {
		return "none"
	}
	var parts []string
	for k, n := range o.Others {
		parts = append(parts, fmt.Sprintf("%s ×%d", k, n))
	}
	sort.Strings(parts)
	return fmt.Sprintf("%d (%s)", o.count(), strings.Join(parts, ", "))
}

func (b *Bench) observe(ctx context.Context) observation {
	o := observation{LoadAvg: loadAvg(), Others: map[string]int{}}
	list, err := b.Engine.Containers(ctx, nil)
	if err != nil {
		o.Err = err
		return o
	}
	for _, c := range list {
		project := c.Labels[engine.LabelProject]
		if c.State != engine.StateRunning || strings.HasPrefix(project, "slbench-"+b.id+"-") {
			continue
		}
		key := project
		if key == "" {
			key = c.Name
		}
		o.Others[key]++
	}
	return o
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// header names what the numbers were taken on.
func (b *Bench) header(ctx context.Context, start time.Time, took time.Duration, before, after observation, command string) Header {
	engineDesc, err := b.Engine.Ping(ctx)
	if err != nil {
		engineDesc = "unknown (" + err.Error() + ")"
	}
	engineDesc, _, _ = strings.Cut(engineDesc, " at ")
	redis := b.RedisVersion
	if redis == "" {
		redis = "unknown (no lab answered)"
	}
	return Header{
		Command: command,
		Facts: []Fact{
			{"date", start.UTC().Format("2006-01-02 15:04 MST") + fmt.Sprintf(" (took %s)", took.Round(time.Second))},
			{"command", strings.Join(os.Args, " ")},
			{"sentinel-lab", gitDescribe()},
			{"machine", machine()},
			{"engine", engineDesc},
			{"compose (baseline)", composeVersion(b.Compose)},
			{"server", fmt.Sprintf("%s, image %s", redis, b.Image)},
			{"go", runtime.Version()},
			{"other containers running", fmt.Sprintf("at start: %s; at end: %s", before, after)},
			{"load average (1, 5, 15 min)", fmt.Sprintf("at start: %s; at end: %s", before.LoadAvg, after.LoadAvg)},
		},
	}
}

func machine() string {
	parts := []string{osName(), runtime.GOARCH}
	if k, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		parts = append(parts, "kernel "+strings.TrimSpace(string(k)))
	}
	cpu := cpuModel()
	parts = append(parts, fmt.Sprintf("%d × %s", runtime.NumCPU(), cpu))
	if m := memTotal(); m != "" {
		parts = append(parts, m+" RAM")
	}
	return strings.Join(parts, ", ")
}

func osName() string {
	b, err := os.ReadFile("/etc/os-release")
	if err != nil {
		return runtime.GOOS
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
			return strings.Trim(v, `"`)
		}
	}
	return runtime.GOOS
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "CPU"
}

func memTotal() string {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return ""
	}
	var kb int64
	for _, line := range strings.Split(string(b), "\n") {
		if _, err := fmt.Sscanf(line, "MemTotal: %d kB", &kb); err == nil {
			return fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
		}
	}
	return ""
}

func composeVersion(compose []string) string {
	out, err := exec.Command(compose[0], append(compose[1:], "version", "--short")...).Output()
	if err != nil {
		return strings.Join(compose, " ") + " (version unknown)"
	}
	return fmt.Sprintf("%s %s", strings.Join(compose, " "), strings.TrimSpace(string(out)))
}

// gitDescribe names the commit measured, and says when the tree had
// changes besides BENCHMARKS.md (which the benchmark itself rewrites).
func gitDescribe() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown commit (not a git checkout)"
	}
	desc := "commit " + strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--", ".", ":!BENCHMARKS.md").Output(); err == nil && len(strings.TrimSpace(string(st))) > 0 {
		desc += " with uncommitted changes"
	}
	return desc
}
