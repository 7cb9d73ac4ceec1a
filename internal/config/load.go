package config

import (
	"fmt"
	"hash/fnv"
	"net/netip"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/sentinel-lab/sentinel-lab/internal/timers"
)

// Default values of the keys that do not depend on other keys.
const (
	DefaultMasterName      = "redis-master"
	DefaultImage           = "redis:7.2"
	DefaultPort            = 6379
	DefaultBind            = "127.0.0.1"
	DefaultDownAfter       = 3 * time.Second
	DefaultFailoverTimeout = 10 * time.Second
	// RootlessUser is who containers run as when sentinel-lab runs as root:
	// the redis user of the official image.
	RootlessUser = "999:999"
	// SentinelPortOffset places sentinels 20000 ports above the data nodes,
	// as in the seed (6379 -> 26379).
	SentinelPortOffset = 20000
)

// Layers is everything one configuration is built from, lowest precedence
// first. Load is pure: callers read files and the environment.
type Layers struct {
	// Dir is the lab directory; its name is the default lab name.
	Dir string
	// File is the content of sentinel-lab.yaml, nil when there is none.
	File []byte
	// Env looks up an environment variable.
	Env func(key string) (string, bool)
	// Remembered holds flags given to earlier runs of render or up, by flag
	// name; they apply below the file, so the lab keeps its shape.
	Remembered map[string]string
	// Flags holds the flags the user set, by flag name, as typed.
	Flags map[string]string
	// UID and GID of the invoking user.
	UID, GID int
	// HostHasAddr tells whether this host has an address, so host
	// addressing refuses a --bind nothing here listens on; nil skips
	// the check.
	HostHasAddr func(netip.Addr) bool
}

// Error lists every problem of a configuration at once.
type Error struct {
	Problems []string
}

func (e *Error) Error() string {
	return "invalid lab configuration (nothing was written):\n  - " + strings.Join(e.Problems, "\n  - ")
}

// IsUsage marks configuration problems as the user's to fix (exit code 2).
func (e *Error) IsUsage() bool { return true }

// Load builds and validates a Config from its layers.
func Load(l Layers) (*Config, error) {
	c := &Config{
		MasterName:        DefaultMasterName,
		Replicas:          2,
		Sentinels:         3,
		DownAfter:         DefaultDownAfter,
		FailoverTimeout:   DefaultFailoverTimeout,
		ParallelSyncs:     1,
		Image:             DefaultImage,
		Port:              DefaultPort,
		Bind:              DefaultBind,
		Addressing:        AddressingIP,
		Subnet:            SubnetAuto,
		Auth:              true,
		MinReplicasMaxLag: 10 * time.Second,
		Engine:            EngineDocker,
		Placement:         PlacementSpread,
		Timers:            timers.Normal,
		Sources:           map[string]Source{},
	}
	var problems []string
	set := func(f *Field, raw string, src Source) {
		if err := f.set(c, raw); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %s %v", src.Detail, f.Key, err))
			return
		}
		c.Sources[f.Key] = src
	}

	applyFlags(l.Remembered, FromRemembered, set, &problems)
	if l.File != nil {
		problems = append(problems, applyFile(l.File, set)...)
	}
	if l.Env != nil {
		for _, f := range fields {
			raw, ok := l.Env(f.Env())
			// An empty secret variable sets nothing (the kept or a
			// generated password applies), so it is not named as the source.
			if ok && !(f.Secret && raw == "") {
				set(f, raw, Source{Kind: FromEnv, Detail: f.Env()})
			}
		}
	}
	applyFlags(l.Flags, FromFlag, set, &problems)

	applyDerivedDefaults(c, l)
	problems = append(problems, validate(c)...)
	problems = append(problems, validateHostBind(c, l.HostHasAddr)...)
	if len(problems) > 0 {
		return nil, &Error{Problems: problems}
	}
	return c, nil
}

func applyFlags(flags map[string]string, kind SourceKind, set func(*Field, string, Source), problems *[]string) {
	for _, f := range fields {
		raw, ok := flags[f.Flag]
		if f.Flag == "" || !ok {
			continue
		}
		if f.FlagNegates {
			v, err := strconv.ParseBool(raw)
			if err != nil {
				*problems = append(*problems, fmt.Sprintf("--%s: %q is not true or false", f.Flag, raw))
				continue
			}
			raw = strconv.FormatBool(!v)
		}
		set(f, raw, Source{Kind: kind, Detail: "--" + f.Flag})
	}
}

// Saved is a configuration as kept with the lab: every key but the secrets,
// formatted as in sentinel-lab.yaml.
type Saved map[string]string

// Save returns c as kept with the lab.
func (c *Config) Save() Saved {
	s := Saved{}
	for _, f := range fields {
		if !f.Secret {
			s[f.Key] = f.get(c)
		}
	}
	return s
}

// FromSaved rebuilds the configuration a lab was rendered with.
func FromSaved(s Saved) (*Config, error) {
	// A lab saved before the timers key runs normal timers.
	c := &Config{Timers: timers.Normal, Sources: map[string]Source{}}
	var problems []string
	for _, f := range fields {
		raw, ok := s[f.Key]
		if f.Secret || !ok {
			continue
		}
		if err := f.set(c, raw); err != nil {
			problems = append(problems, fmt.Sprintf("lab state: %s %v", f.Key, err))
		}
		c.Sources[f.Key] = Source{Kind: FromLab}
	}
	problems = append(problems, validate(c)...)
	if len(problems) > 0 {
		return nil, &Error{Problems: problems}
	}
	return c, nil
}

// applyDerivedDefaults fills the keys whose default depends on other keys or
// on the machine, unless a layer set them.
func applyDerivedDefaults(c *Config, l Layers) {
	derive := func(key, detail string, apply func()) {
		if _, ok := c.Sources[key]; ok {
			return
		}
		apply()
		c.Sources[key] = Source{Kind: FromDefault, Detail: detail}
	}
	name, why := deriveName(l.Dir)
	derive("name", why, func() { c.Name = name })
	derive("quorum", fmt.Sprintf("a majority of %d sentinels", c.Sentinels), func() { c.Quorum = Majority(c.Sentinels) })
	derive("sentinel-port", fmt.Sprintf("port+%d", SentinelPortOffset), func() {
		if !c.PortAuto { // with port auto, chosen with the port
			c.SentinelPort = c.Port + SentinelPortOffset
		}
	})
	if l.UID == 0 {
		// Containers never run as root: as root, sentinel-lab hands the mount
		// folders to Redis's conventional uid instead.
		derive("user", "you are root; containers never run as root", func() { c.User = RootlessUser })
	} else {
		derive("user", "your uid:gid", func() { c.User = fmt.Sprintf("%d:%d", l.UID, l.GID) })
	}
	if c.Engine == EngineSwarm {
		derive("addressing", "a swarm gives its services no static IPs", func() { c.Addressing = AddressingHostnames })
	}
	for _, f := range fields {
		if _, ok := c.Sources[f.Key]; !ok {
			c.Sources[f.Key] = Source{Kind: FromDefault}
		}
	}
}

// NameFromDir turns a directory name into a valid lab name: "My Lab" becomes
// "my-lab". Letters and digits a lab name cannot hold ("实验 lab") are
// replaced by a hash of the whole name ("lab-5e1f0a"), so directories that
// differ only in them do not get the same lab; an unusable name falls back
// to "sentinel-lab".
func NameFromDir(dir string) string {
	name, _ := deriveName(dir)
	return name
}

// deriveName is NameFromDir, with the source `config` shows for it.
func deriveName(dir string) (name, why string) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	base := filepath.Base(abs)
	lower := strings.ToLower(base)
	name = strings.Trim(invalidNameRun.ReplaceAllString(lower, "-"), "-_")
	if name == "" || !validName.MatchString(name) {
		name = "sentinel-lab"
	}
	why = "the lab directory's name"
	if dropsLetters(lower) {
		h := fnv.New32a()
		h.Write([]byte(base))
		name = fmt.Sprintf("%s-%06x", name, h.Sum32()&0xffffff)
		why = fmt.Sprintf("the lab directory's name %q, its letters a lab name cannot hold replaced by a hash so it does not clash; --name sets another", base)
	}
	return name, why
}

// dropsLetters tells a name with letters or digits outside a-z0-9, which
// a lab name loses.
func dropsLetters(s string) bool {
	for _, r := range s {
		if (unicode.IsLetter(r) || unicode.IsDigit(r)) && !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return true
		}
	}
	return false
}

var invalidNameRun = regexp.MustCompile(`[^a-z0-9_-]+`)

// applyFile sets every key of sentinel-lab.yaml and returns its problems,
// each with the line it is on.
func applyFile(content []byte, set func(*Field, string, Source)) []string {
	var doc yaml.Node
	if err := yaml.Unmarshal(content, &doc); err != nil {
		return []string{fmt.Sprintf("%s: %v", FileName, err)}
	}
	if len(doc.Content) == 0 {
		return nil // an empty file sets nothing
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return []string{fmt.Sprintf("%s:%d: expected keys such as \"replicas: 2\", found a %s", FileName, root.Line, kindName(root))}
	}
	var problems []string
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		where := fmt.Sprintf("%s:%d", FileName, k.Line)
		f := FieldByKey(k.Value)
		if f == nil {
			msg := fmt.Sprintf("%s: unknown key %q", where, k.Value)
			if near := nearestKey(k.Value); near != "" {
				msg += fmt.Sprintf("; did you mean %q?", near)
			} else {
				msg += "; `sentinel-lab config` lists the keys"
			}
			problems = append(problems, msg)
			continue
		}
		if v.Kind != yaml.ScalarNode {
			problems = append(problems, fmt.Sprintf("%s: %s wants a single %s value, found a %s", where, f.Key, f.Kind, kindName(v)))
			continue
		}
		set(f, v.Value, Source{Kind: FromFile, Detail: where})
	}
	return problems
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.MappingNode:
		return "mapping"
	}
	return "value"
}

// nearestKey is the known key closest to an unknown one, if close enough to
// be a typo.
func nearestKey(unknown string) string {
	best, bestDist := "", 4
	norm := strings.ReplaceAll(strings.ToLower(unknown), "_", "-")
	for _, f := range fields {
		if d := editDistance(norm, f.Key); d < bestDist {
			best, bestDist = f.Key, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
