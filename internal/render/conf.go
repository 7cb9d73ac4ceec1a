package render

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"syscall"

	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

type addr struct {
	Host       string
	Port       uint16
	SentinelID string
}

// NodeConf renders the redis.conf or sentinel.conf of node n from the
// topology alone: every address in it is what the nodes announce
// (topology.Node.Host), so the same confs serve any engine that makes
// those names resolve. ids are the sentinels' myids by service.
func NodeConf(in Input, n topology.Node, ids map[string]string) ([]byte, error) {
	if !n.IsSentinel() {
		return redisConf(in, n)
	}
	return sentinelConf(in, n, ids)
}

func redisConf(in Input, n topology.Node) ([]byte, error) {
	master := in.Lab.InitialMaster()
	data := struct {
		Service, Lab, Password, LogFile string
		Port                            uint16
		MinReplicasToWrite              int
		MinReplicasMaxLag               int64
		ReplicaOf, AnnounceHost         string
		EnableDebug                     bool
	}{
		Service: n.Service, Lab: in.Lab.Name, Password: in.Password, LogFile: n.LogFile(), Port: n.Addr.Port(),
		EnableDebug:        in.EnableDebug,
		MinReplicasToWrite: in.Config.MinReplicasToWrite,
		MinReplicasMaxLag:  int64(in.Config.MinReplicasMaxLag.Seconds()),
	}
	if in.Lab.NamesNodes() {
		data.AnnounceHost = n.Host
	}
	if n.Role == topology.Replica {
		data.ReplicaOf = fmt.Sprintf("%s %d", master.Host, master.Addr.Port())
	}
	return execute("redis.conf.tmpl", data)
}

func sentinelConf(in Input, n topology.Node, ids map[string]string) ([]byte, error) {
	master := in.Lab.InitialMaster()
	data := struct {
		Service, Lab, Password, SentinelID, MasterName, LogFile string
		MasterHost, AnnounceHost                                string
		Port, MasterPort                                        uint16
		Quorum, ParallelSyncs                                   int
		DownAfterMS, FailoverTimeoutMS                          int64
		KnownReplicas, KnownSentinels                           []addr
	}{
		Service: n.Service, Lab: in.Lab.Name, Password: in.Password, SentinelID: ids[n.Service], LogFile: n.LogFile(),
		MasterName: in.Lab.MasterName, MasterHost: master.Host, MasterPort: master.Addr.Port(),
		Port: n.Addr.Port(), Quorum: in.Config.Quorum, ParallelSyncs: in.Config.ParallelSyncs,
		DownAfterMS: in.Config.DownAfterMS(), FailoverTimeoutMS: in.Config.FailoverTimeoutMS(),
	}
	if in.Lab.NamesNodes() {
		data.AnnounceHost = n.Host
	}
	for _, r := range in.Lab.DataNodes()[1:] {
		data.KnownReplicas = append(data.KnownReplicas, addr{Host: r.Host, Port: r.Addr.Port()})
	}
	for _, s := range in.Lab.Sentinels() {
		if s.Service != n.Service && ids[s.Service] != "" {
			data.KnownSentinels = append(data.KnownSentinels, addr{Host: s.Host, Port: s.Addr.Port(), SentinelID: ids[s.Service]})
		}
	}
	return execute("sentinel.conf.tmpl", data)
}

var myidLine = regexp.MustCompile(`(?m)^sentinel myid ([0-9a-f]{40})\s*$`)

// sentinelIDs gives every sentinel its myid: the one in its existing conf
// (sentinel keeps it there), or a new one. A conf without a myid line gets
// no entry, so no other sentinel is told about it.
func sentinelIDs(dir labdir.Dir, in Input) (map[string]string, error) {
	newID := in.NewSentinelID
	if newID == nil {
		newID = func(string) string { return randomID() }
	}
	ids := map[string]string{}
	for _, s := range in.Lab.Sentinels() {
		b, err := readExisting(ConfPath(dir, s))
		switch {
		case b == nil && err == nil:
			ids[s.Service] = newID(s.Service)
		case err != nil:
			return nil, fmt.Errorf("reading %s: %w", dir.Rel(ConfPath(dir, s)), err)
		default:
			if m := myidLine.FindSubmatch(b); m != nil {
				ids[s.Service] = string(m[1])
			}
		}
	}
	return ids, nil
}

// SentinelIDs are the myids the lab's sentinels keep in their confs, by
// service; a sentinel without a conf (or a myid in it) is left out.
func SentinelIDs(dir labdir.Dir, lab *topology.Lab) map[string]string {
	ids := map[string]string{}
	for _, s := range lab.Sentinels() {
		if b, _ := readExisting(ConfPath(dir, s)); b != nil {
			if m := myidLine.FindSubmatch(b); m != nil {
				ids[s.Service] = string(m[1])
			}
		}
	}
	return ids
}

// readExisting reads a file, returning nil and no error when there is no
// such file, including when a folder on its path is missing or is a file:
// checkWritable reports that case with its fix.
func readExisting(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return nil, nil
	}
	return b, err
}

func randomID() string {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}
