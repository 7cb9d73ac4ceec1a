// Command bench measures sentinel-lab's speed goals and writes
// BENCHMARKS.md: a header naming the machine, engine and Redis, then one
// section per benchmark with its runs, its results against a baseline run
// in the same invocation or against down-after-milliseconds, and whether
// each target was met.
//
//	make bench                      # build, run every section, write BENCHMARKS.md
//	bin/sentinel-lab-bench -runs 2 -out /tmp/b.md -sections startup
//	bin/sentinel-lab-bench -sections failover,soak,timers -failover-rounds 3 -soak-rounds 3 -out /tmp/b.md
//
// The failover and soak sections run in both timer modes (-timers
// normal,fast), failover at each D of -down-afters, and the timers section
// sets fast against normal from those runs.
//
// Timing goals live here, never in pass/fail tests. Each section is one
// file; add a section to the sections list.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/image"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
	"github.com/sentinel-lab/sentinel-lab/internal/progress"
)

// A section is one benchmark of BENCHMARKS.md; it may write several
// sections of the file (one per timer mode and D).
type section struct {
	// name is how -sections selects it.
	name string
	run  func(ctx context.Context, b *Bench) ([]Section, error)
}

// sections run in this order; timers compares what failover and soak
// measured on both timer modes, so it comes last.
var sections = []section{
	{name: "startup", run: one(runStartup)},
	{name: "failover", run: runFailovers},
	{name: "soak", run: runSoaks},
	{name: "timers", run: one(runTimers)},
}

// one adapts a benchmark that writes one section.
func one(run func(ctx context.Context, b *Bench) (Section, error)) func(ctx context.Context, b *Bench) ([]Section, error) {
	return func(ctx context.Context, b *Bench) ([]Section, error) {
		s, err := run(ctx, b)
		if err != nil {
			return nil, err
		}
		return []Section{s}, nil
	}
}

// downAfterMS is the down-after-milliseconds of the failover and soak labs.
var downAfterMS = flag.Int("down-after", 1000, "failover, soak: the labs' down-after-milliseconds (D)")

// Bench is what sections share: the engine, the binary under test, the
// image, and the labs made so far, which are all removed at the end.
type Bench struct {
	Engine engine.Engine
	// Bin is the sentinel-lab binary under test, an absolute path.
	Bin string
	// Image every lab runs, resolved once before any timed run.
	Image string
	// Compose is the compose command: docker compose, or docker-compose.
	Compose []string
	// Runs timed per variant, after Warmup untimed ones.
	Runs, Warmup int
	// Timeout bounds one wait for a lab to be healthy.
	Timeout time.Duration
	Log     *progress.Printer

	// RedisVersion is what the lab's master reported, filled by the first
	// run that saw it.
	RedisVersion string
	// Measured is what the failover and soak sections saw, by timer mode,
	// for the timers section's comparison.
	Measured map[string]*modeMeasures

	id   string // unique to this invocation, in every lab name
	root string // where the labs' directories go

	mu   sync.Mutex
	seq  int
	labs []string
}

func main() { os.Exit(run()) }

func run() int {
	var (
		bin      = flag.String("bin", "bin/sentinel-lab", "the sentinel-lab binary to measure")
		out      = flag.String("out", "BENCHMARKS.md", "where to write the report")
		runs     = flag.Int("runs", 5, "timed runs of each variant")
		warmup   = flag.Int("warmup", 1, "untimed runs of each variant first (warm caches)")
		only     = flag.String("sections", "", "comma-separated sections to run (default all: "+sectionNames()+")")
		img      = flag.String("image", "", "image the labs run (default: $SENTINEL_LAB_IMAGE, else sentinel-lab's default, resolved as `up` does)")
		timeout  = flag.Duration("timeout", 60*time.Second, "how long one lab may take to be healthy")
		tempRoot = flag.String("tmp", "", "where to make the labs' directories (default: the system temp dir)")
	)
	flag.Parse()
	log := progress.New(os.Stderr)
	if *runs < 1 {
		fmt.Fprintln(os.Stderr, "bench: -runs must be at least 1")
		return 2
	}
	chosen, err := selectSections(*only)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	b, err := setup(ctx, log, *bin, *img, *tempRoot)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	b.Runs, b.Warmup, b.Timeout = *runs, *warmup, *timeout
	// Whatever happens, every container and network of this invocation's
	// labs goes, found by their compose project label.
	defer b.cleanupAll()

	startFacts := b.observe(ctx)
	start := time.Now()
	report := Report{}
	failed := false
	for _, s := range chosen {
		log.Printf("section %s", s.name)
		secs, err := s.run(ctx, b)
		report.Sections = append(report.Sections, secs...)
		if err != nil {
			fmt.Fprintf(os.Stderr, "bench: section %s: %v\n", s.name, err)
			failed = true
			if ctx.Err() != nil {
				return 1
			}
		}
	}
	report.Header = b.header(ctx, start, time.Since(start), startFacts, b.observe(ctx), commandLine())

	if err := writeReport(*out, report); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	log.Printf("wrote %s", *out)
	if failed {
		return 1
	}
	return 0
}

func sectionNames() string {
	var names []string
	for _, s := range sections {
		names = append(names, s.name)
	}
	return strings.Join(names, ",")
}

func selectSections(list string) ([]section, error) {
	if strings.TrimSpace(list) == "" {
		return sections, nil
	}
	var out []section
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		found := false
		for _, s := range sections {
			if s.name == name {
				out, found = append(out, s), true
			}
		}
		if !found {
			return nil, fmt.Errorf("no section %q; the sections are %s", name, sectionNames())
		}
	}
	return out, nil
}

// setup connects to the engine, finds the binary and the compose command,
// and resolves the image once, so no timed run ever pulls or builds one.
func setup(ctx context.Context, log *progress.Printer, bin, img, tempRoot string) (*Bench, error) {
	abs, err := filepath.Abs(bin)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("%s: %w (build it first: make build)", bin, err)
	}
	eng, err := engine.NewDocker()
	if err != nil {
		return nil, err
	}
	desc, err := eng.Ping(ctx)
	if err != nil {
		return nil, err
	}
	log.Printf("%s", desc)
	compose, err := composeCommand()
	if err != nil {
		return nil, err
	}
	if img == "" {
		img = os.Getenv("SENTINEL_LAB_IMAGE")
	}
	if img == "" {
		img = config.DefaultImage
	}
	// The same resolution `up` does: present, else pulled, else built from
	// the host's redis-server. Done here, untimed.
	res, err := image.Ensure(ctx, eng, image.DefaultHost, img, log.Writer())
	if err != nil {
		return nil, err
	}
	if res.Note != "" {
		log.Printf("note: %s", res.Note)
	}
	log.Printf("image: %s (%s)", res.Ref, res.Source)
	root, err := os.MkdirTemp(tempRoot, "sentinel-lab-bench-")
	if err != nil {
		return nil, err
	}
	return &Bench{
		Engine: eng, Bin: abs, Image: res.Ref, Compose: compose, Log: log,
		id: randomID(), root: root, Measured: map[string]*modeMeasures{},
	}, nil
}

// composeCommand is docker compose (v2) when the docker CLI has it, else
// docker-compose (v1, Debian's).
func composeCommand() ([]string, error) {
	if exec.Command("docker", "compose", "version").Run() == nil {
		return []string{"docker", "compose"}, nil
	}
	if _, err := exec.LookPath("docker-compose"); err == nil {
		return []string{"docker-compose"}, nil
	}
	return nil, errors.New("neither `docker compose` nor docker-compose is installed; the baselines need one (apt-get install docker-compose)")
}

func randomID() string {
	b := make([]byte, 3)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// commandLine is how this invocation was started, for the report: make
// bench, or the command line itself.
func commandLine() string {
	if os.Getenv("MAKELEVEL") != "" {
		return "make bench"
	}
	return strings.Join(os.Args, " ")
}

// writeReport writes the whole report at once, so an interrupted write
// never leaves half a file behind.
func writeReport(path string, r Report) error {
	var buf bytes.Buffer
	if err := r.WriteMarkdown(&buf); err != nil {
		return err
	}
	return labdir.WriteFileAtomic(path, buf.Bytes(), 0o644)
}
