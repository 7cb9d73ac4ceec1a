// Package lab runs a lab's life cycle: resolve its configuration against its
// directory, render it, start it through an Engine, wait for it to be
// healthy, inspect it and remove it.
package lab

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"net"
	"net/netip"
	"os"
	"slices"
	"strconv"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
	"github.com/sentinel-lab/sentinel-lab/internal/render"
	"github.com/sentinel-lab/sentinel-lab/internal/topology"
)

// Lab is a lab whose configuration is resolved against its directory: its
// subnet chosen and its password known.
type Lab struct {
	Dir      labdir.Dir
	Config   *config.Config
	Topology *topology.Lab
	// Password is the lab password, "" when auth is off.
	Password string
	// ServerVersion is what `redis-server --version` said in the image,
	// when up asked before rendering confs ("" when it did not).
	ServerVersion string
	// serverAsked tells that up asked the image: a ServerVersion of ""
	// then means the image gave no version (no redis-server in it), which
	// up reports when the first node starts; its tag is no guide.
	serverAsked bool
	// Image is the image the lab runs; `up` may replace the configured one
	// with a locally built image.
	Image string

	newPassword bool
	state       labdir.State
}

// ErrNoLab means the directory holds no rendered lab.
var ErrNoLab = errors.New("no lab here")

// NoLabError explains that a command needs a lab that was never created.
type NoLabError struct{ Dir string }

func (e *NoLabError) Error() string {
	return fmt.Sprintf("no lab in %s: run `sentinel-lab up` there first (or pass --dir)", e.Dir)
}

func (e *NoLabError) Is(target error) bool { return target == ErrNoLab }

// Layers builds the configuration layers of the lab in dir from its files,
// the environment, the flags remembered from earlier runs and flags.
func Layers(dir labdir.Dir, flags map[string]string) (config.Layers, error) {
	file, err := os.ReadFile(dir.Path(config.FileName))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return config.Layers{}, fmt.Errorf("reading %s: %w", dir.Rel(dir.Path(config.FileName)), err)
	}
	st, err := dir.ReadState()
	if err != nil {
		return config.Layers{}, err
	}
	return config.Layers{
		Dir: dir.Root, File: file, Env: os.LookupEnv,
		Remembered: st.Flags, Flags: flags,
		UID: os.Getuid(), GID: os.Getgid(),
		HostHasAddr: hostHasAddr,
	}, nil
}

// hostHasAddr tells whether one of this host's interfaces has addr.
func hostHasAddr(addr netip.Addr) bool {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return true // cannot tell: let the engine's bind error speak
	}
	for _, a := range addrs {
		if p, err := netip.ParsePrefix(a.String()); err == nil && p.Addr().Unmap() == addr.Unmap() {
			return true
		}
	}
	return false
}

// Resolve prepares the lab for rendering from a validated configuration.
// It writes nothing. taken, when not nil, tells subnets already used on the
// Docker host, so an automatic subnet avoids them.
func Resolve(dir labdir.Dir, cfg *config.Config, taken func(netip.Prefix) bool) (*Lab, error) {
	st, err := dir.ReadState()
	if err != nil {
		return nil, err
	}
	subnet, err := resolveSubnet(dir, cfg, st, taken)
	if err != nil {
		return nil, err
	}
	if cfg.PortAuto {
		port, sentinelPort := st.Port, st.SentinelPort
		if port == 0 {
			if port, sentinelPort, err = choosePorts(cfg); err != nil {
				return nil, err
			}
		}
		if err := cfg.SetPorts(port, sentinelPort); err != nil {
			return nil, err
		}
	}
	l := &Lab{Dir: dir, Config: cfg, Topology: topology.New(cfg, subnet), Image: cfg.Image, state: st}
	if err := l.checkShape(); err != nil {
		return nil, err
	}
	if err := l.resolvePassword(); err != nil {
		return nil, err
	}
	return l, nil
}

// Open loads the lab a previous render left in dir, with its password, for
// the commands that talk to its nodes (status, kill-master, ...).
func Open(dir labdir.Dir) (*Lab, error) {
	l, err := OpenWithoutPassword(dir)
	if err != nil || !l.Config.Auth {
		return l, err
	}
	if l.Password, err = keptPassword(dir); err != nil {
		return nil, err
	}
	if l.Password == "" {
		return nil, fmt.Errorf("%s is missing, so the lab's nodes cannot be reached; restore it, or recreate the lab with `sentinel-lab down --volumes` and `sentinel-lab up`",
			dir.Rel(dir.PasswordFile()))
	}
	return l, nil
}

// OpenWithoutPassword loads the lab a previous render left in dir without
// reading its password, for down: it talks to the engine only, and must
// work when the password file is lost.
func OpenWithoutPassword(dir labdir.Dir) (*Lab, error) {
	st, err := dir.ReadState()
	if err != nil {
		return nil, err
	}
	if st.Config == nil || st.Subnet == "" {
		return nil, &NoLabError{Dir: dir.Root}
	}
	cfg, err := config.FromSaved(config.Saved(st.Config))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir.Rel(dir.StateDir()), err)
	}
	if cfg.PortAuto {
		if err := cfg.SetPorts(st.Port, st.SentinelPort); err != nil {
			return nil, fmt.Errorf("%s: %w", dir.Rel(dir.StateDir()), err)
		}
	}
	subnet, err := config.ParseSubnet(st.Subnet)
	if err != nil {
		return nil, fmt.Errorf("%s: subnet %q: %w", dir.Rel(dir.StateDir()), st.Subnet, err)
	}
	l := &Lab{Dir: dir, Config: cfg, Topology: topology.New(cfg, subnet), Image: st.Image, state: st}
	if l.Image == "" {
		l.Image = cfg.Image
	}
	return l, nil
}

// PasswordPending tells a password generated now and kept only when the lab
// is rendered.
func (l *Lab) PasswordPending() bool { return l.newPassword && l.Config.Password == "" }

func (l *Lab) resolvePassword() error {
	if !l.Config.Auth {
		return nil
	}
	kept, err := keptPassword(l.Dir)
	if err != nil {
		return err
	}
	switch {
	case l.Config.Password != "" && kept != "" && kept != l.Config.Password && l.confsExist():
		return fmt.Errorf("the configured password differs from the one this lab's confs were rendered with (kept in %s); unset it, or start afresh with `sentinel-lab down --volumes`",
			l.Dir.Rel(l.Dir.PasswordFile()))
	case l.Config.Password != "":
		l.Password, l.newPassword = l.Config.Password, kept != l.Config.Password
	case kept != "":
		l.Password = kept
	default:
		l.Password, l.newPassword = generatePassword(), true
	}
	return nil
}

func (l *Lab) confsExist() bool {
	for _, n := range l.Topology.Nodes {
		if _, err := os.Stat(render.ConfPath(l.Dir, n)); err == nil {
			return true
		}
	}
	return false
}

// Render writes the lab's files and remembers its configuration, the flags
// that shaped it, its subnet and password.
func (l *Lab) Render(flags map[string]string) (*render.Result, error) {
	if err := l.checkTimers(); err != nil {
		return nil, err
	}
	res, err := render.Render(l.Dir, render.Input{
		Config: l.Config, Lab: l.Topology, Image: l.Image, Password: l.Password,
		EnableDebug: debugSetting(l.ServerVersion, l.Image),
	})
	if err != nil {
		return res, err
	}
	res.Notes = append(res.Notes, l.staleConfNotes(res)...)
	if !l.Config.Auth && !isLoopback(l.Config.Bind) {
		res.Notes = append(res.Notes, fmt.Sprintf("warning: the lab's ports listen on %s without a password: anyone who reaches this host can read and write it; keep auth on or use --bind 127.0.0.1", l.Config.Bind))
	}
	if l.newPassword {
		if err := l.Dir.WritePassword(l.Password); err != nil {
			return res, err
		}
	}
	st := l.state
	st.Subnet = l.Topology.Subnet.String()
	st.Config = l.Config.Save()
	if allConfsCreated(res) {
		st.ConfConfig = map[string]string{}
		for _, k := range append(slices.Clip(confKeys), shapeKeys...) {
			st.ConfConfig[k] = st.Config[k]
		}
	}
	st.Image = l.Image
	st.AddNodeDirs(l.Topology.Services()...)
	if l.Config.PortAuto {
		st.Port, st.SentinelPort = l.Config.Port, l.Config.SentinelPort
	}
	if len(flags) > 0 {
		if st.Flags == nil {
			st.Flags = map[string]string{}
		}
		for k, v := range flags {
			st.Flags[k] = v
		}
	}
	if err := l.Dir.WriteState(st); err != nil {
		return res, err
	}
	l.state = st
	return res, nil
}

// allConfsCreated tells a render that wrote every conf afresh, so they
// hold the current settings.
func allConfsCreated(res *render.Result) bool {
	for _, f := range res.Files {
		if f.OnlyIfAbsent && f.Action != render.Created {
			return false
		}
	}
	return true
}

func isLoopback(bind string) bool {
	ip := net.ParseIP(bind)
	return ip != nil && ip.IsLoopback()
}

// confKeys are the settings rendered into confs, which are kept once written.
var confKeys = []string{"master-name", "quorum", "down-after", "failover-timeout", "parallel-syncs",
	"auth", "min-replicas-to-write", "min-replicas-max-lag"}

// staleConfNotes names the settings that changed since the last render but
// that kept confs still hold the old values of.
func (l *Lab) staleConfNotes(res *render.Result) []string {
	kept := 0
	for _, f := range res.Files {
		if f.Action == render.Kept {
			kept++
		}
	}
	rendered := l.state.ConfConfig
	if rendered == nil {
		rendered = l.state.Config // a lab from before ConfConfig was kept
	}
	if kept == 0 || rendered == nil {
		return nil
	}
	now := l.Config.Save()
	var notes []string
	for _, k := range confKeys {
		if old, ok := rendered[k]; ok && old != now[k] {
			notes = append(notes, fmt.Sprintf("%s changed from %s to %s, but the existing confs under data/ keep %s (Redis and Sentinel own them); run `sentinel-lab down --volumes` to start the lab afresh with it",
				k, old, now[k], old))
		}
	}
	return notes
}

// portFree tells whether a TCP port can be bound on the bind address; tests
// replace it.
var portFree = func(bind string, port int) bool {
	ln, err := net.Listen("tcp", net.JoinHostPort(bind, strconv.Itoa(port)))
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

// choosePorts finds a base port, from a place that depends on the lab name,
// with every data node port above it and every sentinel port 20000 higher
// free on this host.
func choosePorts(cfg *config.Config) (port, sentinelPort int, err error) {
	const first, step, count = 20000, 100, 200 // bases 20000..39900
	h := fnv.New32a()
	h.Write([]byte(cfg.Name))
	start := int(h.Sum32() % count)
	for i := 0; i < count; i++ {
		base := first + ((start+i)%count)*step
		if rangeFree(cfg.Bind, base, cfg.Replicas+1) && rangeFree(cfg.Bind, base+config.SentinelPortOffset, cfg.Sentinels) {
			return base, base + config.SentinelPortOffset, nil
		}
	}
	return 0, 0, fmt.Errorf("no free range of ports found between %d and %d; choose one with --port", first, first+count*step)
}

func rangeFree(bind string, from, n int) bool {
	for p := from; p < from+n; p++ {
		if !portFree(bind, p) {
			return false
		}
	}
	return true
}

// subnetPool is where automatic subnets come from: 1024 /24s in
// 172.28.0.0/14, away from where Docker allocates first (172.17.0.0/16 on).
var subnetPool = netip.MustParsePrefix("172.28.0.0/14")

func resolveSubnet(dir labdir.Dir, cfg *config.Config, st labdir.State, taken func(netip.Prefix) bool) (netip.Prefix, error) {
	if cfg.Subnet != config.SubnetAuto {
		want, _ := config.ParseSubnet(cfg.Subnet) // validated
		if st.Subnet != "" && st.Subnet != want.String() && confsExist(dir, cfg, st) {
			return netip.Prefix{}, fmt.Errorf("subnet %s differs from %s, which this lab's confs already use; drop --subnet, or start afresh with `sentinel-lab down --volumes`",
				want, st.Subnet)
		}
		return want, nil
	}
	if st.Subnet != "" {
		return config.ParseSubnet(st.Subnet)
	}
	return chooseSubnet(cfg.Name, taken)
}

func confsExist(dir labdir.Dir, cfg *config.Config, st labdir.State) bool {
	old, err := config.ParseSubnet(st.Subnet)
	if err != nil {
		return false
	}
	l := &Lab{Dir: dir, Topology: topology.New(cfg, old)}
	return l.confsExist()
}

// chooseSubnet starts at a place that depends on the lab name, so labs side
// by side rarely try the same subnet, and takes the first one not taken.
func chooseSubnet(name string, taken func(netip.Prefix) bool) (netip.Prefix, error) {
	h := fnv.New32a()
	h.Write([]byte(name))
	p, ok := FreeSubnet(subnetPool, int(h.Sum32()%(1<<(24-subnetPool.Bits()))), taken)
	if !ok {
		return netip.Prefix{}, fmt.Errorf("no free /24 left in %s; choose one with --subnet", subnetPool)
	}
	return p, nil
}

// FreeSubnet returns the first /24 of pool, counting on from the start-th,
// that taken (nil: none is) does not rule out.
func FreeSubnet(pool netip.Prefix, start int, taken func(netip.Prefix) bool) (netip.Prefix, bool) {
	count := 1 << (24 - pool.Bits())
	base := pool.Masked().Addr().As4()
	for i := 0; i < count; i++ {
		k := (start + i) % count
		b := base
		b[1] += byte(k >> 8)
		b[2] += byte(k)
		p := netip.PrefixFrom(netip.AddrFrom4(b), 24)
		if taken == nil || !taken(p) {
			return p, true
		}
	}
	return netip.Prefix{}, false
}

// generatePassword makes a 32-hex-digit password: no characters that need
// quoting in a conf or a shell.
func generatePassword() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}
