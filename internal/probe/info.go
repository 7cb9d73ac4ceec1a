package probe

import (
	"net"
	"strconv"
	"strings"
)

// Info is a parsed INFO reply: field -> value, all sections together.
type Info map[string]string

// ParseInfo reads the "field:value" lines of an INFO reply, skipping the
// "# Section" headers.
func ParseInfo(s string) Info {
	info := Info{}
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if k, v, ok := strings.Cut(line, ":"); ok {
			info[k] = v
		}
	}
	return info
}

// Int reads a numeric field, 0 when absent or not a number.
func (i Info) Int(key string) int64 {
	v, _ := strconv.ParseInt(i[key], 10, 64)
	return v
}

// Fields reads a "k=v,k=v" value such as slave0 or master0 of INFO.
func Fields(v string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(v, ",") {
		if k, val, ok := strings.Cut(part, "="); ok {
			out[k] = val
		}
	}
	return out
}

// ReplicaEntry is one slaveN line of a master's INFO replication.
type ReplicaEntry struct {
	Addr   string `json:"address"`
	State  string `json:"state"`
	Offset int64  `json:"offset"`
	Lag    int64  `json:"lag"`
}

// Replicas reads the slave0, slave1, ... lines of a master's INFO.
func (i Info) Replicas() []ReplicaEntry {
	var out []ReplicaEntry
	for n := 0; ; n++ {
		v, ok := i["slave"+strconv.Itoa(n)]
		if !ok {
			return out
		}
		f := Fields(v)
		off, _ := strconv.ParseInt(f["offset"], 10, 64)
		lag, _ := strconv.ParseInt(f["lag"], 10, 64)
		out = append(out, ReplicaEntry{
			Addr: net.JoinHostPort(f["ip"], f["port"]), State: f["state"], Offset: off, Lag: lag,
		})
	}
}
