// Package server knows the servers a lab can run: which kind (Redis or
// Valkey) and which version, read from INFO or from `<binary> --version`,
// and which features each has. Every difference between servers that the
// lab works around or refuses is named here, once.
package server

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Kind is the server family.
type Kind string

// The server families the lab runs.
const (
	Redis  Kind = "redis"
	Valkey Kind = "valkey"
)

// Title is the family's name as its project writes it.
func (k Kind) Title() string {
	switch k {
	case Redis:
		return "Redis"
	case Valkey:
		return "Valkey"
	}
	return string(k)
}

// Version is a release number, such as 7.4.1.
type Version struct{ Major, Minor, Patch int }

func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }

// Less orders versions.
func (v Version) Less(o Version) bool {
	if v.Major != o.Major {
		return v.Major < o.Major
	}
	if v.Minor != o.Minor {
		return v.Minor < o.Minor
	}
	return v.Patch < o.Patch
}

// ParseVersion reads "7.4.1" (or "8.0", or "255.255.255" of an unstable
// build); anything after the numbers, such as "-rc1", is ignored.
func ParseVersion(s string) (Version, error) {
	m := versionRE.FindStringSubmatch(s)
	if m == nil {
		return Version{}, fmt.Errorf("%q is not a version such as 7.4.1", s)
	}
	var v Version
	v.Major, _ = strconv.Atoi(m[1])
	v.Minor, _ = strconv.Atoi(m[2])
	if m[3] != "" {
		v.Patch, _ = strconv.Atoi(m[3])
	}
	return v, nil
}

var versionRE = regexp.MustCompile(`^(\d+)\.(\d+)(?:\.(\d+))?`)

// Server is one kind of server at one version.
type Server struct {
	Kind    Kind
	Version Version
}

// IsZero tells a server that is not known.
func (s Server) IsZero() bool { return s.Kind == "" }

// String is "Redis 7.4.1" or "Valkey 8.0.1"; "" for an unknown server.
func (s Server) String() string {
	if s.IsZero() {
		return ""
	}
	return s.Kind.Title() + " " + s.Version.String()
}

// MarshalText writes String, so JSON shows "Redis 6.2.16".
func (s Server) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads what MarshalText wrote.
func (s *Server) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*s = Server{}
		return nil
	}
	p, err := Parse(string(b))
	if err != nil {
		return err
	}
	*s = p
	return nil
}

// Parse reads "Redis 7.4.1" or "Valkey 8.0.1", as String writes them.
func Parse(s string) (Server, error) {
	name, ver, ok := strings.Cut(strings.TrimSpace(s), " ")
	kind := Kind(strings.ToLower(name))
	if !ok || (kind != Redis && kind != Valkey) {
		return Server{}, fmt.Errorf("%q names no server; want Redis <version> or Valkey <version>", s)
	}
	v, err := ParseVersion(ver)
	if err != nil {
		return Server{}, err
	}
	return Server{Kind: kind, Version: v}, nil
}

// FromInfo reads the server from the fields of INFO server. Valkey reports
// server_name:valkey and valkey_version beside a redis_version it keeps
// for clients (7.2.4 in Valkey 8), so valkey_version wins.
func FromInfo(field func(string) string) (Server, bool) {
	if v := field("valkey_version"); v != "" || field("server_name") == "valkey" {
		if v == "" {
			v = field("redis_version") // Valkey 7.2.0-7.2.4 reported only this
		}
		if ver, err := ParseVersion(v); err == nil {
			return Server{Kind: Valkey, Version: ver}, true
		}
		return Server{}, false
	}
	if ver, err := ParseVersion(field("redis_version")); err == nil {
		return Server{Kind: Redis, Version: ver}, true
	}
	return Server{}, false
}

// versionLine is what `redis-server --version` and `valkey-server
// --version` print: "Redis server v=7.4.1 sha=... malloc=jemalloc-5.3.0".
var versionLine = regexp.MustCompile(`^(Redis|Valkey) server v=(\d+\.\d+(?:\.\d+)?)\S*\s`)

// FromVersionOutput reads what `<server> --version` printed.
func FromVersionOutput(out string) (Server, error) {
	first, _, _ := strings.Cut(strings.TrimSpace(out), "\n")
	m := versionLine.FindStringSubmatch(first + " ")
	if m == nil {
		return Server{}, fmt.Errorf("it printed %q where a Redis or Valkey server prints \"Redis server v=<version> ...\" or \"Valkey server v=<version> ...\"", truncate(first, 80))
	}
	v, err := ParseVersion(m[2])
	if err != nil {
		return Server{}, err
	}
	return Server{Kind: Kind(strings.ToLower(m[1])), Version: v}, nil
}

// cliLine is what `redis-cli --version` and `valkey-cli --version` print:
// "redis-cli 7.4.1" or "valkey-cli 8.0.1".
var cliLine = regexp.MustCompile(`^(redis|valkey)-cli (\d+\.\d+(?:\.\d+)?)`)

// CLIFromVersionOutput reads what `<cli> --version` printed: the family and
// version of the command-line client.
func CLIFromVersionOutput(out string) (Server, error) {
	first, _, _ := strings.Cut(strings.TrimSpace(out), "\n")
	m := cliLine.FindStringSubmatch(first)
	if m == nil {
		return Server{}, fmt.Errorf("it printed %q where redis-cli prints \"redis-cli <version>\" and valkey-cli \"valkey-cli <version>\"", truncate(first, 80))
	}
	v, err := ParseVersion(m[2])
	if err != nil {
		return Server{}, err
	}
	return Server{Kind: Kind(m[1]), Version: v}, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// ServerBinary is the name the family's server binary has, and CLIBinary
// its command-line client's. Valkey also installs the Redis names as links.
func (k Kind) ServerBinary() string { return string(k) + "-server" }

// CLIBinary is the name of the family's command-line client.
func (k Kind) CLIBinary() string { return string(k) + "-cli" }

// LogWording is the word the server's log uses for the node a replica
// follows: "master" in Redis and Valkey 7.2, "primary" from Valkey 8.
func (s Server) LogWording() string {
	if s.Kind == Valkey && s.Version.Major >= 8 {
		return "primary"
	}
	return "master"
}
