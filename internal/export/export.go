// Package export writes one folder with everything needed to understand or
// report a lab: its effective configuration, compose files and confs, every
// node's INFO, every sentinel's view of the master, the containers as the
// engine inspects them, the nodes' logs, the status and the last failover.
// The lab password is masked in every file.
package export

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
	"github.com/sentinel-lab/sentinel-lab/internal/nodelog"
	"github.com/sentinel-lab/sentinel-lab/internal/render"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// Export is a lab and what it is read through.
type Export struct {
	// Session is the lab exported, its engine and its nodes.
	Session *lab.Session
	// LastFailover is where the last failover's report is kept.
	LastFailover string
	// About is written at the top of README.txt (version, engine).
	About []string
	Now   func() time.Time
}

// File is one file of the export.
type File struct {
	Name string
	// About says what the file holds, in README.txt.
	About string
	Data  []byte
}

// Result says what was exported.
type Result struct {
	Dir   string
	Files []File
	// Problems are what could not be collected; they are in errors.txt too.
	Problems []string

	Nodes, NodesAnswered         int
	Sentinels, SentinelsAnswered int
	Containers                   int
	Logs                         int
	Failover                     bool
}

// Summary is one line saying what the export holds.
func (r *Result) Summary() string {
	s := fmt.Sprintf("INFO of %d/%d data nodes, SENTINEL answers of %d/%d sentinels, %d containers inspected, %d logs",
		r.NodesAnswered, r.Nodes, r.SentinelsAnswered, r.Sentinels, r.Containers, r.Logs)
	if r.Failover {
		s += ", the last failover"
	}
	s += fmt.Sprintf("; %d files", len(r.Files))
	switch n := len(r.Problems); n {
	case 0:
	case 1:
		s += "; 1 thing could not be collected (errors.txt)"
	default:
		s += fmt.Sprintf("; %d things could not be collected (errors.txt)", n)
	}
	return s
}

// Write writes the export into dir, which must not exist or be empty, with
// extra files made by the caller (the configuration). Only a failure to
// write ends it early: what cannot be collected is listed in errors.txt.
func (x *Export) Write(ctx context.Context, dir string, extra []File) (*Result, error) {
	if err := prepareDir(dir); err != nil {
		return nil, err
	}
	w := &writer{dir: dir, mask: NewMasker(x.Session.Lab.Password), res: &Result{Dir: dir}}
	for _, f := range extra {
		w.add(f.Name, f.About, f.Data)
	}
	x.compose(w)
	x.status(ctx, w)
	containers, err := x.Session.Containers(ctx)
	if err != nil {
		w.problem("listing the lab's containers: %v", err)
	}
	x.nodes(ctx, w, containers)
	x.inspect(ctx, w, containers)
	x.logs(ctx, w, containers)
	x.lastFailover(w)
	if len(w.res.Problems) > 0 {
		w.add("errors.txt", "what could not be collected, and why", []byte(strings.Join(w.res.Problems, "\n")+"\n"))
	}
	x.readme(w)
	if w.err != nil {
		return nil, w.err
	}
	return w.res, nil
}

// prepareDir makes dir, refusing one that holds anything.
func prepareDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return os.MkdirAll(dir, 0o755)
	case err != nil:
		return fmt.Errorf("export folder %s: %w", dir, err)
	case len(entries) > 0:
		return &ExistsError{Dir: dir}
	}
	return nil
}

// ExistsError refuses to write into a folder that holds files.
type ExistsError struct{ Dir string }

func (e *ExistsError) Error() string {
	return fmt.Sprintf("export folder %s already holds files; name a new or empty folder", e.Dir)
}

// IsUsage marks the error as the user's to fix.
func (e *ExistsError) IsUsage() bool { return true }

// writer writes masked files and remembers them and the problems met.
type writer struct {
	dir  string
	mask *Masker
	res  *Result
	err  error
}

func (w *writer) add(name, about string, data []byte) {
	if w.err != nil {
		return
	}
	path := filepath.Join(w.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		w.err = err
		return
	}
	if err := os.WriteFile(path, w.mask.Mask(data), 0o644); err != nil {
		w.err = err
		return
	}
	w.res.Files = append(w.res.Files, File{Name: name, About: about})
}

func (w *writer) problem(format string, args ...any) {
	w.res.Problems = append(w.res.Problems, string(w.mask.Mask([]byte(fmt.Sprintf(format, args...)))))
}

func (w *writer) json(name, about string, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		w.problem("%s: %v", name, err)
		return
	}
	w.add(name, about, append(b, '\n'))
}

// compose copies the compose files sentinel-lab up loads, and compose/.env.
func (x *Export) compose(w *writer) {
	d := x.Session.Lab.Dir
	for _, f := range []struct {
		path, about string
		optional    bool
	}{
		{d.ComposeFile(), "the compose file up loads", false},
		{d.OverrideFile(), "the user's override compose file", true},
		{d.EnvFile(), "the values the compose file interpolates", false},
	} {
		b, err := os.ReadFile(f.path)
		if errors.Is(err, fs.ErrNotExist) && f.optional {
			continue
		}
		if err != nil {
			w.problem("%s: %v", d.Rel(f.path), err)
			continue
		}
		w.add(filepath.ToSlash(d.Rel(f.path)), f.about, b)
	}
}

// status writes what `status -o json` shows.
func (x *Export) status(ctx context.Context, w *writer) {
	r, err := x.Session.Status(ctx)
	if err != nil {
		w.problem("status: %v", err)
		return
	}
	w.json("status.json", "sentinel-lab status -o json: who is master, who replicates, what each sentinel thinks", r)
}

// nodes writes every node's INFO and conf, and every sentinel's answers
// about the master.
func (x *Export) nodes(ctx context.Context, w *writer, containers map[string]engine.Container) {
	name := x.Session.Lab.Topology.MasterName
	for _, n := range x.Session.Lab.Topology.Nodes {
		dir := "nodes/" + n.Service + "/"
		x.conf(ctx, w, n, containers)
		if n.IsSentinel() {
			w.res.Sentinels++
		} else {
			w.res.Nodes++
		}
		state := engine.StateMissing
		if c, ok := containers[n.Service]; ok {
			state = c.State
		}
		if state != engine.StateRunning {
			// Nothing answers for a stopped or paused node, and a removed
			// network's address may lead anywhere.
			what := "INFO"
			if n.IsSentinel() {
				what = "INFO or SENTINEL answers"
			}
			w.problem("%s (container %s): not asked for %s", n.Service, state, what)
			continue
		}
		info, err := x.Session.Nodes().Do(ctx, n, "info", "all")
		if err != nil {
			w.problem("%s (container %s): INFO: %v", n.Service, state, err)
			continue
		}
		w.add(dir+"info.txt", "INFO all of "+n.Service, []byte(strings.ReplaceAll(fmt.Sprint(info), "\r\n", "\n")))
		if !n.IsSentinel() {
			w.res.NodesAnswered++
			continue
		}
		answered := true
		for _, q := range []struct{ sub, file string }{
			{"master", "sentinel-master.json"},
			{"replicas", "sentinel-replicas.json"},
			{"sentinels", "sentinel-sentinels.json"},
		} {
			reply, err := x.Session.Nodes().Do(ctx, n, "sentinel", q.sub, name)
			if err != nil {
				w.problem("%s: SENTINEL %s %s: %v", n.Service, strings.ToUpper(q.sub), name, err)
				answered = false
				continue
			}
			var v any = PairsFrom(reply)
			if q.sub != "master" {
				v = PairsList(reply)
			}
			w.json(dir+q.file, fmt.Sprintf("SENTINEL %s %s, as %s answers it", strings.ToUpper(q.sub), name, n.Service), v)
		}
		reply, err := x.Session.Nodes().Do(ctx, n, "sentinel", "ckquorum", name)
		if err != nil {
			// A failed check is an error reply: it is the answer.
			reply = err.Error()
		}
		w.add(dir+"sentinel-ckquorum.txt", "SENTINEL CKQUORUM "+name+", as "+n.Service+" answers it", []byte(fmt.Sprint(reply)+"\n"))
		if answered {
			w.res.SentinelsAnswered++
		}
	}
}

// conf writes the node's conf as it is now: Redis and Sentinel rewrite it.
func (x *Export) conf(ctx context.Context, w *writer, n topology.Node, containers map[string]engine.Container) {
	local := render.ConfPath(x.Session.Lab.Dir, n)
	base := filepath.Base(local)
	var b []byte
	var err error
	if c, ok := containers[n.Service]; ok {
		b, err = x.Session.Engine.ReadFile(ctx, c.ID, "/data/"+base)
	} else {
		b, err = os.ReadFile(local)
	}
	if err != nil {
		w.problem("%s: reading %s: %v", n.Service, base, err)
		return
	}
	w.add("nodes/"+n.Service+"/"+base, n.Service+"'s conf as it is now (Redis and Sentinel rewrite it)", b)
}

// inspect writes every container of the lab as `docker inspect` shows it.
func (x *Export) inspect(ctx context.Context, w *writer, containers map[string]engine.Container) {
	services := make([]string, 0, len(containers))
	for s := range containers {
		services = append(services, s)
	}
	sort.Strings(services)
	for _, s := range services {
		raw, err := x.Session.Engine.InspectJSON(ctx, containers[s].ID)
		if err != nil {
			w.problem("%s: %v", s, err)
			continue
		}
		var b bytes.Buffer
		if json.Indent(&b, raw, "", "  ") != nil {
			b.Reset()
			b.Write(raw)
		}
		b.WriteByte('\n')
		w.add("containers/"+s+".json", "docker inspect of "+containers[s].Name, b.Bytes())
		w.res.Containers++
	}
}

// logs writes each node's log and all of them interleaved by time.
func (x *Export) logs(ctx context.Context, w *writer, containers map[string]engine.Container) {
	ids := map[string]string{}
	for s, c := range containers {
		ids[s] = c.ID
	}
	nodes := x.Session.Lab.Topology.Nodes
	targets := nodelog.Targets(x.Session.Lab.Dir, nodes, ids)
	lists, err := nodelog.NewReader(x.Session.Engine).Read(ctx, targets)
	if err != nil {
		w.problem("logs: %v", err)
	}
	for i, t := range targets {
		var b bytes.Buffer
		for _, l := range lists[i] {
			if l.Output {
				fmt.Fprintf(&b, "(container output) %s\n", l.Text)
			} else {
				fmt.Fprintln(&b, l.Text)
			}
		}
		w.add("nodes/"+t.Service+"/"+filepath.Base(t.Path), t.Service+"'s log, with its container's output", b.Bytes())
		w.res.Logs++
	}
	var all bytes.Buffer
	names := make([]string, len(nodes))
	for i, n := range nodes {
		names[i] = n.Service
	}
	_ = nodelog.NewPrinter(&all, names).Print(nodelog.Merge(lists...))
	w.add("logs.txt", "every node's log interleaved by time, as sentinel-lab logs prints it", all.Bytes())
}

// lastFailover copies the report kill-master kept, when there is one.
func (x *Export) lastFailover(w *writer) {
	if x.LastFailover == "" {
		return
	}
	b, err := os.ReadFile(x.LastFailover)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		w.problem("last failover: %v", err)
		return
	}
	w.add("last-failover.json", "the report of the last kill-master", b)
	w.res.Failover = true
}

// readme lists what the export holds.
func (x *Export) readme(w *writer) {
	var b strings.Builder
	fmt.Fprintf(&b, "sentinel-lab export of lab %q (%s), %s.\n", x.Session.Lab.Config.Name, x.Session.Lab.Dir.Root, x.Now().UTC().Format(time.RFC3339))
	for _, a := range x.About {
		fmt.Fprintln(&b, a)
	}
	fmt.Fprintf(&b, "The lab password is replaced by %s everywhere.\n\n", Masked)
	sort.SliceStable(w.res.Files, func(i, j int) bool { return w.res.Files[i].Name < w.res.Files[j].Name })
	width := 0
	for _, f := range w.res.Files {
		width = max(width, len(f.Name))
	}
	for _, f := range w.res.Files {
		fmt.Fprintf(&b, "%-*s  %s\n", width, f.Name, f.About)
	}
	w.add("README.txt", "this list", []byte(b.String()))
}
