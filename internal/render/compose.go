package render

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"

	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// nodeArgs is the command line after `redis-server`: only the conf path, so
// the password never shows in `docker inspect` or ps.
func nodeArgs(n topology.Node) []string {
	if n.IsSentinel() {
		return []string{"/data/sentinel.conf", "--sentinel"}
	}
	return []string{"/data/redis.conf"}
}

// checksumLine starts a compose file sentinel-lab wrote; the checksum covers
// the rest of the file, so a hand edit shows as a mismatch.
var checksumLine = regexp.MustCompile(`^# Rendered by sentinel-lab \(sha256:([0-9a-f]{16})\)`)

// ComposeFile renders compose/docker-compose.yml.
func ComposeFile(in Input) ([]byte, error) {
	body, err := execute("docker-compose.yml.tmpl", composeData(in))
	if err != nil {
		return nil, err
	}
	header := fmt.Sprintf("# Rendered by sentinel-lab (sha256:%s); `sentinel-lab render` rewrites it unless you edit it.\n", checksum(body))
	return append([]byte(header), body...), nil
}

// GeneratedUnedited tells a compose file sentinel-lab rendered and nobody
// edited since, which it may replace, from one a user changed.
func GeneratedUnedited(content []byte) bool {
	first, body, ok := bytes.Cut(content, []byte("\n"))
	if !ok {
		return false
	}
	m := checksumLine.FindSubmatch(first)
	return m != nil && string(m[1]) == checksum(body)
}

func checksum(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:16]
}

type composeNode struct {
	Service   string
	Role      topology.Role
	Args      []string
	Port      int
	HostPort  int
	HostOctet int
}

// extraHost is one hosts-file line of every node: a name it announces and
// the last octet of its static address.
type extraHost struct {
	Name  string
	Octet int
}

func composeData(in Input) any {
	var hosts []extraHost
	if in.Lab.NamesNodes() {
		for _, n := range in.Lab.Nodes {
			hosts = append(hosts, extraHost{n.Host, int(n.Addr.Addr().As4()[3])})
		}
	}
	var nodes []composeNode
	for _, n := range in.Lab.Nodes {
		nodes = append(nodes, composeNode{
			Service:   n.Service,
			Role:      n.Role,
			Args:      nodeArgs(n),
			Port:      int(n.Addr.Port()),
			HostPort:  n.HostPort,
			HostOctet: int(n.Addr.Addr().As4()[3]),
		})
	}
	return struct {
		Image, Bind, LogDir string
		Nodes               []composeNode
		Replicas            []topology.Node
		Sentinels           []topology.Node
		ExtraHosts          []extraHost
	}{in.Config.Image, in.Config.Bind, topology.LogDir, nodes, in.Lab.DataNodes()[1:], in.Lab.Sentinels(), hosts}
}

// EnvVar is one variable of compose/.env.
type EnvVar struct{ Key, Value string }

// ComposeEnv is what compose/.env holds: the per-lab and per-machine values
// docker-compose.yml interpolates. `up` passes the same values to
// compose-go, over the shell's.
func ComposeEnv(in Input) []EnvVar {
	return []EnvVar{
		{"COMPOSE_PROJECT_NAME", in.Lab.Name},
		{"SENTINEL_LAB_IMAGE", in.Image},
		{"SENTINEL_LAB_USER", in.Config.User},
		{"SENTINEL_LAB_SUBNET", in.Lab.Subnet.String()},
		{"SENTINEL_LAB_IP_PREFIX", in.Lab.IPPrefix()},
	}
}

func envData(in Input) any {
	return struct {
		Lab    string
		Values []EnvVar
	}{in.Lab.Name, ComposeEnv(in)}
}
