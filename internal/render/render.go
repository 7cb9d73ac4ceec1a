// Package render turns a lab configuration into files in the lab directory:
// the compose file and its .env, the mount folders, and each node's
// redis.conf or sentinel.conf. Rendering is idempotent, never overwrites a
// conf (Redis and Sentinel own them once written), and writes nothing when it
// cannot write everything.
package render

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/template"

	"github.com/sentinel-lab/sentinel-lab/configs"
	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// Input is everything a rendering depends on.
type Input struct {
	Config *config.Config
	Lab    *topology.Lab
	// Image is the image the lab runs, which differs from Config.Image when
	// `up` had to build one locally.
	Image string
	// Password is the lab password, "" when auth is off.
	Password string
	// EnableDebug renders `enable-debug-command local` into the data
	// nodes' confs, for the servers that refuse DEBUG without it.
	EnableDebug bool
	// NewSentinelID makes the myid of a sentinel whose conf is rendered for
	// the first time; nil means random. Tests make it deterministic.
	NewSentinelID func(service string) string
}

// Action is what rendering did, or would do, to one file.
type Action string

// The actions, as printed.
const (
	Created   Action = "created"
	Updated   Action = "updated"
	Unchanged Action = "unchanged"
	// Kept: a conf that exists belongs to Redis or Sentinel from then on.
	Kept Action = "kept"
	// KeptEdited: the compose file was edited by hand, so it is left alone.
	KeptEdited Action = "kept (edited by hand)"
)

// File is one rendered file and what happens to it.
type File struct {
	Path    string
	Content []byte
	Mode    os.FileMode
	// OnlyIfAbsent files are never overwritten.
	OnlyIfAbsent bool
	Action       Action
}

// Result lists what rendering did.
type Result struct {
	Files []File
	// Dirs are the mount folders created now (those that existed are not listed).
	Dirs []string
	// Notes are things the user should know, such as a setting that kept
	// confs do not reflect.
	Notes []string
}

// Changed tells whether the rendering wrote anything.
func (r *Result) Changed() bool {
	if len(r.Dirs) > 0 {
		return true
	}
	for _, f := range r.Files {
		if f.Action == Created || f.Action == Updated {
			return true
		}
	}
	return false
}

// Render plans every file, checks the whole plan can be written, then writes
// it: mount folders first, then the confs, the compose file and its .env.
func Render(dir labdir.Dir, in Input) (*Result, error) {
	files, err := Plan(dir, in)
	if err != nil {
		return nil, err
	}
	dirs := MountDirs(dir, in.Lab)
	if err := checkWritable(dir, dirs, files); err != nil {
		return nil, err
	}
	res := &Result{}
	for _, d := range dirs {
		if _, err := os.Stat(d); err == nil {
			continue
		}
		err := os.MkdirAll(filepath.Dir(d), 0o755)
		if err == nil {
			err = os.Mkdir(d, dirMode(d))
		}
		if err != nil {
			return res, fmt.Errorf("creating %s: %w", dir.Rel(d), err)
		}
		res.Dirs = append(res.Dirs, d)
	}
	for _, f := range files {
		if f.Action == Created || f.Action == Updated {
			if err := os.MkdirAll(filepath.Dir(f.Path), 0o755); err != nil {
				return res, err
			}
			if err := labdir.WriteFileAtomic(f.Path, f.Content, f.Mode); err != nil {
				return res, fmt.Errorf("writing %s: %w", dir.Rel(f.Path), err)
			}
		}
		res.Files = append(res.Files, f)
	}
	return res, handOver(dir, in)
}

// handOver gives the mount folders and confs to the user the containers run
// as, which only root can do and only root needs: any other user runs the
// containers as themselves.
func handOver(dir labdir.Dir, in Input) error {
	uid, gid := in.Config.UIDGID()
	if os.Geteuid() != 0 || uid == 0 {
		return nil
	}
	for _, n := range in.Lab.Nodes {
		for _, p := range []string{dir.NodeData(n.Service), dir.NodeLogs(n.Service), ConfPath(dir, n)} {
			if err := os.Lchown(p, uid, gid); err != nil && !os.IsNotExist(err) {
				return fmt.Errorf("handing %s to %s: %w", dir.Rel(p), in.Config.User, err)
			}
		}
	}
	return nil
}

// dirMode keeps data folders private: Redis and Sentinel rewrite their confs,
// which hold the password, with mode 0644, so the folder must guard them.
func dirMode(d string) os.FileMode {
	if filepath.Base(d) == "data" {
		return 0o700
	}
	return 0o755
}

// MountDirs are data/<node>/data and data/<node>/logs for every node.
func MountDirs(dir labdir.Dir, lab *topology.Lab) []string {
	var out []string
	for _, n := range lab.Nodes {
		out = append(out, dir.NodeData(n.Service), dir.NodeLogs(n.Service))
	}
	return out
}

// Plan renders every file in memory and decides what to do with each,
// looking at what is on disk but changing nothing.
func Plan(dir labdir.Dir, in Input) ([]File, error) {
	ids, err := sentinelIDs(dir, in)
	if err != nil {
		return nil, err
	}
	var files []File
	for _, n := range in.Lab.Nodes {
		content, err := NodeConf(in, n, ids)
		if err != nil {
			return nil, err
		}
		files = append(files, File{Path: ConfPath(dir, n), Content: content, Mode: 0o600, OnlyIfAbsent: true})
	}
	compose, err := ComposeFile(in)
	if err != nil {
		return nil, err
	}
	files = append(files, File{Path: dir.ComposeFile(), Content: compose, Mode: 0o644})
	env, err := execute("env.tmpl", envData(in))
	if err != nil {
		return nil, err
	}
	files = append(files, File{Path: dir.EnvFile(), Content: env, Mode: 0o644})

	for i := range files {
		action, err := decide(&files[i], dir)
		if err != nil {
			return nil, err
		}
		files[i].Action = action
	}
	return files, nil
}

func decide(f *File, dir labdir.Dir) (Action, error) {
	old, err := readExisting(f.Path)
	switch {
	case old == nil && err == nil:
		return Created, nil
	case err != nil:
		return "", fmt.Errorf("reading %s: %w", dir.Rel(f.Path), err)
	case bytes.Equal(old, f.Content):
		return Unchanged, nil
	case f.OnlyIfAbsent:
		return Kept, nil
	case f.Path == dir.ComposeFile() && !GeneratedUnedited(old):
		return KeptEdited, nil
	}
	return Updated, nil
}

// ConfPath is where a node's conf lives: in its writable data folder.
func ConfPath(dir labdir.Dir, n topology.Node) string {
	return filepath.Join(dir.NodeData(n.Service), confName(n))
}

func confName(n topology.Node) string {
	if n.IsSentinel() {
		return "sentinel.conf"
	}
	return "redis.conf"
}

var templates = template.Must(template.New("").ParseFS(configs.Templates, "*.tmpl"))

func execute(name string, data any) ([]byte, error) {
	var buf bytes.Buffer
	if err := templates.ExecuteTemplate(&buf, name, data); err != nil {
		return nil, fmt.Errorf("rendering %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// checkWritable fails before anything is written when some folder or file
// of the plan cannot be written, naming the first such path.
func checkWritable(dir labdir.Dir, dirs []string, files []File) error {
	var paths []string
	for _, d := range dirs {
		if info, err := os.Stat(d); err != nil || !info.IsDir() {
			paths = append(paths, d)
		}
	}
	for _, f := range files {
		if f.Action == Created || f.Action == Updated {
			paths = append(paths, filepath.Dir(f.Path)) // written by rename
		}
	}
	checked := map[string]bool{}
	for _, p := range paths {
		existing := nearestExisting(p)
		if checked[existing] {
			continue
		}
		checked[existing] = true
		if err := writable(existing); err != nil {
			return fmt.Errorf("cannot write %s in the lab directory %s (%v); fix its permissions (for example `sudo chown -R $(id -u):$(id -g) %s`) or use another --dir",
				dir.Rel(existing), dir.Root, err, shellQuote(existing))
		}
	}
	return nil
}

func nearestExisting(p string) string {
	for {
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(p)
		if parent == p {
			return p
		}
		p = parent
	}
}

// writable probes a folder by creating a file in it: permission bits alone
// say nothing about root or read-only mounts.
func writable(dir string) error {
	f, err := os.CreateTemp(dir, ".sentinel-lab-probe-*")
	if err != nil {
		return unwrapPathError(err)
	}
	f.Close()
	return os.Remove(f.Name())
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

func shellQuote(s string) string {
	if strings.ContainsAny(s, " '\"$\\") {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return s
}

// Follows tells whether the data node's conf in dir makes it start as a
// replica: a replicaof line, as rendered for the replicas and as Redis
// writes it back (CONFIG REWRITE) once sentinel reconfigured it. A node
// whose conf has none, or cannot be read, starts as a master.
func Follows(dir labdir.Dir, n topology.Node) bool {
	b, err := os.ReadFile(ConfPath(dir, n))
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) > 0 && (strings.EqualFold(f[0], "replicaof") || strings.EqualFold(f[0], "slaveof")) {
			return true
		}
	}
	return false
}
