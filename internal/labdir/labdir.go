// Package labdir knows the layout of a lab directory and keeps the lab's own
// state in it: the generated password and the chosen subnet.
//
//	compose/docker-compose.yml           rendered, loaded by `up`
//	compose/docker-compose.override.yml  the user's, loaded when present
//	compose/.env                         per-lab values compose interpolates
//	data/<node>/data                     node data and its redis/sentinel conf
//	data/<node>/logs                     node logs
//	.sentinel-lab/                       password (0600), state.json
package labdir

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Dir is a lab directory.
type Dir struct {
	// Root is the lab directory as the user named it.
	Root string
}

// New returns the lab directory at root, made absolute so compose paths and
// error messages do not depend on the working directory, and with symlinks
// resolved: the containers' labels name the lab by its directory, so a lab
// reached through a link must be the same lab.
func New(root string) (Dir, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return Dir{}, fmt.Errorf("lab directory %q: %w", root, err)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	return Dir{Root: abs}, nil
}

// SamePath tells whether two paths name the same file or directory, links
// resolved; paths that do not exist are compared as written.
func SamePath(a, b string) bool {
	if a == b {
		return true
	}
	ia, errA := os.Stat(a)
	ib, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(ia, ib)
}

// Paths inside the lab directory.
const (
	ComposeDir       = "compose"
	ComposeFileName  = "docker-compose.yml"
	OverrideFileName = "docker-compose.override.yml"
	EnvFileName      = ".env"
	DataDir          = "data"
	StateDirName     = ".sentinel-lab"
)

// Path joins elements under the lab directory.
func (d Dir) Path(elem ...string) string {
	return filepath.Join(append([]string{d.Root}, elem...)...)
}

// Rel shows a path relative to the lab directory, for messages.
func (d Dir) Rel(path string) string {
	if rel, err := filepath.Rel(d.Root, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}

// ComposeFile is compose/docker-compose.yml.
func (d Dir) ComposeFile() string { return d.Path(ComposeDir, ComposeFileName) }

// OverrideFile is compose/docker-compose.override.yml.
func (d Dir) OverrideFile() string { return d.Path(ComposeDir, OverrideFileName) }

// EnvFile is compose/.env.
func (d Dir) EnvFile() string { return d.Path(ComposeDir, EnvFileName) }

// NodeData is data/<service>/data, mounted at /data.
func (d Dir) NodeData(service string) string { return d.Path(DataDir, service, "data") }

// NodeLogs is data/<service>/logs, mounted at /logs.
func (d Dir) NodeLogs(service string) string { return d.Path(DataDir, service, "logs") }

// NodeDir is data/<service>.
func (d Dir) NodeDir(service string) string { return d.Path(DataDir, service) }

// StateDir is .sentinel-lab.
func (d Dir) StateDir() string { return d.Path(StateDirName) }

// PasswordFile is .sentinel-lab/password.
func (d Dir) PasswordFile() string { return d.Path(StateDirName, "password") }

func (d Dir) stateFile() string { return d.Path(StateDirName, "state.json") }

// State is what the lab remembers between commands.
type State struct {
	// Subnet chosen for the lab network; the confs name addresses in it.
	Subnet string `json:"subnet,omitempty"`
	// Config is the configuration the lab was last rendered with, by key
	// (secrets left out).
	Config map[string]string `json:"config,omitempty"`
	// ConfConfig holds the settings the node confs were rendered with: once
	// written, the confs keep them even if the configuration changes.
	ConfConfig map[string]string `json:"conf_config,omitempty"`
	// Flags are the flags given to render and up, by flag name: they keep
	// applying, so a later `up` without them does not reshape the lab.
	Flags map[string]string `json:"flags,omitempty"`
	// Image is the image the lab was rendered to run.
	Image string `json:"image,omitempty"`
	// Port and SentinelPort are the ports chosen for port auto.
	Port         int `json:"port,omitempty"`
	SentinelPort int `json:"sentinel_port,omitempty"`
	// NodeDirs are the nodes whose data/<node> folders the lab ever
	// rendered, removed nodes included, so down --volumes deletes them all
	// and nothing else.
	NodeDirs []string `json:"node_dirs,omitempty"`
}

// AddNodeDirs records node folders the lab rendered, keeping the list
// sorted and without duplicates.
func (s *State) AddNodeDirs(services ...string) {
	for _, svc := range services {
		if !slices.Contains(s.NodeDirs, svc) {
			s.NodeDirs = append(s.NodeDirs, svc)
		}
	}
	slices.Sort(s.NodeDirs)
}

// ReadState returns the lab's state; a lab never rendered has an empty one.
func (d Dir) ReadState() (State, error) {
	var s State
	b, err := os.ReadFile(d.stateFile())
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("%s is damaged (%v); delete it to start the lab afresh", d.Rel(d.stateFile()), err)
	}
	return s, nil
}

// WriteState saves the lab's state.
func (d Dir) WriteState(s State) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(d.StateDir(), 0o700); err != nil {
		return err
	}
	return WriteFileAtomic(d.stateFile(), append(b, '\n'), 0o600)
}

// ReadPassword returns the kept password, or "" when there is none yet.
func (d Dir) ReadPassword() (string, error) {
	b, err := os.ReadFile(d.PasswordFile())
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

// WritePassword keeps the lab password, readable by the user only.
func (d Dir) WritePassword(pw string) error {
	if err := os.MkdirAll(d.StateDir(), 0o700); err != nil {
		return err
	}
	return WriteFileAtomic(d.PasswordFile(), []byte(pw+"\n"), 0o600)
}

// WriteFileAtomic writes through a temporary file and a rename, so a reader
// or an interrupted write never sees half a file.
func WriteFileAtomic(path string, content []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(content); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
