package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/nodelog"
	"github.com/sentinel-lab/sentinel-lab/internal/server"
	"github.com/sentinel-lab/sentinel-lab/internal/timers"
)

// matrixServer is one server of the version matrix README's table names:
// a binary an image is built from, or an image (SENTINEL_LAB_MATRIX_IMAGES,
// the official images in the GitHub workflow).
type matrixServer struct {
	name string
	// path is the server binary an image is built from; image the image to
	// run instead.
	path, image string
	kind        server.Kind
	// version is the release the server must report, or its start ("8"
	// for redis:8).
	version string
	// mode is the fault of this server's failover: the matrix goes through
	// every mode, one per server.
	mode string
	// noDebug: the server has no SENTINEL DEBUG (Redis 6.2), so it runs
	// normal timers and refuses fast ones; written here rather than asked
	// of the server package, so the test checks it.
	noDebug bool
}

// imageModes gives each official image of the GitHub workflow's matrix its
// fault, so the matrix goes through every mode; other images get kill.
var imageModes = map[string]string{
	"redis:6.2": "stop", "redis:7.2": "kill", "redis:7.4": "pause", "redis:8": "disconnect",
	"valkey/valkey:7.2": "pause", "valkey/valkey:8": "disconnect",
}

// redisBuilds is where the Redis builds of the matrix are:
// SENTINEL_LAB_REDIS_BUILDS, else shared/redis-builds beside the checkout.
func redisBuilds() string {
	if d := os.Getenv("SENTINEL_LAB_REDIS_BUILDS"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "shared", "redis-builds")
}

// matrixServers are the binaries of .ci/run's machine, or the images
// SENTINEL_LAB_MATRIX_IMAGES names.
func matrixServers() []matrixServer {
	if images := strings.Fields(strings.ReplaceAll(os.Getenv("SENTINEL_LAB_MATRIX_IMAGES"), ",", " ")); len(images) > 0 {
		var out []matrixServer
		for _, img := range images {
			repo, tag, _ := strings.Cut(img[strings.LastIndex(img, "/")+1:], ":")
			version, _, _ := strings.Cut(tag, "-") // 7.4-alpine, 8.0.1-local
			kind := server.Redis
			if strings.Contains(repo, "valkey") {
				kind = server.Valkey
			}
			mode := imageModes[img]
			if mode == "" {
				mode = "kill"
			}
			out = append(out, matrixServer{name: img, image: img, kind: kind, version: version, mode: mode,
				noDebug: kind == server.Redis && strings.HasPrefix(version, "6.")})
		}
		return out
	}
	builds := redisBuilds()
	return []matrixServer{
		{name: "redis-6.2.16", path: filepath.Join(builds, "redis-6.2.16", "redis-server"), kind: server.Redis, version: "6.2.16", mode: "stop", noDebug: true},
		{name: "redis-7.0.15-debian", path: "/usr/bin/redis-server", kind: server.Redis, version: "7.0.15", mode: "kill"},
		{name: "redis-7.4.1", path: filepath.Join(builds, "redis-7.4.1", "redis-server"), kind: server.Redis, version: "7.4.1", mode: "pause"},
		{name: "valkey-8.0.1", path: "/usr/bin/valkey-server", kind: server.Valkey, version: "8.0.1", mode: "disconnect"},
	}
}

// is tells whether srv is the server s wants.
func (s matrixServer) is(srv server.Server) bool {
	v := srv.Version.String()
	return srv.Kind == s.kind && (s.version == "" || s.version == "latest" || v == s.version || strings.HasPrefix(v, s.version+"."))
}

// logWord is what a server's log calls the node a replica follows, written
// here rather than asked of the server package, so the test checks it:
// Valkey 8 renamed it.
func logWord(srv server.Server) string {
	if srv.Kind == server.Valkey && srv.Version.Major >= 8 {
		return "primary"
	}
	return "master"
}

// requireServer skips a server that is not on this machine, saying where
// it was looked for; in CI it fails, since .ci/run installs them all. It
// returns what the binary's --version says, or for an image the zero
// Server, learnt from status later.
func requireServer(t *testing.T, eng engine.Engine, s matrixServer) server.Server {
	t.Helper()
	if s.image != "" {
		if ok, err := eng.ImageExists(context.Background(), s.image); err != nil || !ok {
			t.Fatalf("image %s is not on this machine (%v); pull it first", s.image, err)
		}
		return server.Server{}
	}
	out, err := exec.Command(s.path, "--version").Output()
	if err != nil {
		msg := s.name + ": no server at " + s.path + " (" + err.Error() + "); .ci/run installs Valkey and Debian's Redis, SENTINEL_LAB_REDIS_BUILDS points at the Redis builds"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg + "; skipping (CI=true makes this a failure)")
	}
	got, err := server.FromVersionOutput(string(out))
	if err != nil || !s.is(got) {
		t.Fatalf("%s --version: %q (%v), want %s", s.path, out, err, s.name)
	}
	return got
}

// Every server README names runs the lab end to end: an image built from
// its binary (or the official image), up, healthy, a failover in one of the
// modes, the old master back with the resync its own log shows, its log
// lines read by the one parser, the server named by status, the report
// and the export, and the tour's every section on it.
func TestVersionMatrix(t *testing.T) {
	eng := requireDocker(t)
	for _, s := range matrixServers() {
		t.Run(strings.NewReplacer("/", "_", ":", "-").Replace(s.name), func(t *testing.T) {
			want := requireServer(t, eng, s)
			l := newLab(t)
			img := s.image
			if img == "" {
				img = buildImage(t, l, s, want)
			}
			l.Flags = append(l.Flags, "--image", img)
			mode := checkTimersRefused(t, l, s)
			l.up()
			st := l.status()
			if st.Timers != mode {
				t.Errorf("status says timers %q, want %q", st.Timers, mode)
			}
			if want.IsZero() {
				if want, _ = server.Parse(st.Server); !s.is(want) {
					t.Fatalf("image %s runs %q, want %s %s", img, st.Server, s.kind, s.version)
				}
			}
			checkServer(t, st, want)

			r := l.killMaster("--mode", s.mode)
			checkFailover(t, r, "master")
			if r.Server != want.String() {
				t.Errorf("the failover report says server %q, want %q", r.Server, want)
			}
			rv := l.revive()
			checkRevived(t, l, rv, r.OldMaster.Service, r.NewMaster.Service)
			checkServer(t, l.status(), want)
			checkResyncAgainstLog(t, l, logWord(want), rv.Revived[0])
			checkLogsParse(t, l, logWord(want), r.OldMaster.Service)
			checkReportAndExport(t, l, want)
			// The tour on this server: its INFO fields, its wording of
			// both syncs and its sentinels' log lines, each explained.
			tourStart := time.Now()
			tr := l.tourOf()
			tourTook := time.Since(tourStart).Round(100 * time.Millisecond)
			checkTour(t, tr, logWord(want))
			if tr.Server != want.String() {
				t.Errorf("the tour says server %q, want %q", tr.Server, want)
			}
			t.Logf("%s (%s): failover in %d ms with %s; %s rejoined with a %s resync; the tour showed every section in %s", want, img, r.FailoverMS, s.mode, rv.Revived[0].Service, rv.Revived[0].Resync, tourTook)
		})
	}
}

// checkTimersRefused: on a server without SENTINEL DEBUG, up --timers fast
// is refused naming the version, with nothing written, and the lab runs
// normal timers; others run the suite's fast ones. It returns the mode.
func checkTimersRefused(t *testing.T, l *Lab, s matrixServer) timers.Mode {
	t.Helper()
	if !s.noDebug {
		return timers.Fast
	}
	r := l.run(append(append([]string{"up"}, l.Flags...), "--timers", "fast")...)
	if r.code != 2 || !strings.Contains(r.stderr, "--timers fast needs SENTINEL DEBUG") || !strings.Contains(r.stderr, "Redis "+s.version) {
		t.Errorf("up --timers fast on %s: exit %d, stderr %q; want exit 2 naming the version", s.name, r.code, r.stderr)
	}
	if _, err := os.Stat(l.path("compose")); err == nil {
		t.Errorf("the refused up wrote %s", l.path("compose"))
	}
	l.Flags = append(l.Flags, "--timers", "normal")
	return timers.Normal
}

// buildImage runs `image build --redis-server` and checks the tag it chose.
func buildImage(t *testing.T, l *Lab, s matrixServer, want server.Server) string {
	t.Helper()
	out := l.must("image", "build", "--redis-server", s.path).stdout
	tag := "sentinel-lab/" + string(s.kind) + ":" + want.Version.String() + "-local"
	if !strings.HasPrefix(out, "Built "+tag+" ("+want.String()+")") {
		t.Fatalf("image build printed %q, want it to build %s", out, tag)
	}
	return tag
}

func checkServer(t *testing.T, st lab.Report, want server.Server) {
	t.Helper()
	if !st.Healthy || st.Server != want.String() {
		t.Fatalf("status: healthy %v, server %q; want healthy, %q\n%s", st.Healthy, st.Server, want, describe(st))
	}
	for _, n := range st.Nodes {
		if n.Server != want.String() {
			t.Errorf("%s runs %q, want %q", n.Service, n.Server, want)
		}
	}
}

// lastResync is the test's own reading of a replica's log: the phrase and
// word of its last resync line.
var lastResync = regexp.MustCompile(`(Full resync from|Successful partial resynchronization with) (\w+)`)

// checkResyncAgainstLog checks revive's resync kind against the revived
// node's own log, in the data folder on this host.
func checkResyncAgainstLog(t *testing.T, l *Lab, word string, rv failover.Revived) {
	t.Helper()
	b, err := os.ReadFile(l.path("data", rv.Service, "logs", "redis.log"))
	if err != nil {
		t.Fatal(err)
	}
	m := lastResync.FindAllStringSubmatch(string(b), -1)
	if len(m) == 0 {
		t.Fatalf("%s's log has no resync line:\n%s", rv.Service, b)
	}
	last := m[len(m)-1]
	kind := map[string]string{"Full resync from": failover.ResyncFull, "Successful partial resynchronization with": failover.ResyncPartial}[last[1]]
	if rv.Resync != kind || last[2] != word {
		t.Errorf("revive says %s resync; the log's last resync line is %q (want a %s one saying %q)", rv.Resync, last[0], rv.Resync, word)
	}
}

// syncWords picks out what a reader would call a replication line.
var syncWords = regexp.MustCompile(`(?i)<-> REPLICA sync|resync`)

// checkLogsParse reads `logs` as a user sees it: every replication line of
// every node is a step the one parser knows, in the server's wording, and
// the old master's log shows it catching up with its new master.
func checkLogsParse(t *testing.T, l *Lab, word, oldMaster string) {
	t.Helper()
	services, texts := logLines(t, l.must("logs").stdout)
	caughtUp := false
	for i, text := range texts {
		st, ok := nodelog.ParseSync(text)
		if !ok {
			if syncWords.MatchString(text) {
				t.Errorf("%s: a replication line the parser does not know: %q", services[i], text)
			}
			continue
		}
		if st.Wording != "" && st.Wording != word {
			t.Errorf("%s: %q read with the wording %q, want %q", services[i], text, st.Wording, word)
		}
		if services[i] == oldMaster && (st.Kind == nodelog.SyncFull || st.Kind == nodelog.SyncPartial) {
			caughtUp = true
		}
	}
	if !caughtUp {
		t.Errorf("no full or partial resync of %s in `logs`", oldMaster)
	}
}

// checkReportAndExport checks the HTML report and the export name the
// server.
func checkReportAndExport(t *testing.T, l *Lab, want server.Server) {
	t.Helper()
	page := l.path("report.html")
	l.must("report", "--file", page)
	b, err := os.ReadFile(page)
	if err != nil || !strings.Contains(string(b), `<p class="sub">Server: `+want.String()+` (`) {
		t.Errorf("the report does not name %s (%v)", want, err)
	}
	out := filepath.Join(t.TempDir(), "export")
	l.must("export", out)
	b, err = os.ReadFile(filepath.Join(out, "status.json"))
	var st lab.Report
	if err == nil {
		err = json.Unmarshal(b, &st)
	}
	if err != nil || st.Server != want.String() {
		t.Errorf("the export's status.json says server %q (%v), want %q", st.Server, err, want)
	}
}
