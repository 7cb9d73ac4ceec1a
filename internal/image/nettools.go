package image

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sentinel-lab/sentinel-lab/internal/engine"
)

// NetToolsRepository names the helper image of network faults: nft, tc
// and ip from this host, with their libraries, FROM scratch. A helper
// container of it sets packet filter rules and qdiscs in a node's network
// namespace; the node's own image needs none of these tools.
const NetToolsRepository = "sentinel-lab/nettools"

// netTools are the helper's programs; nft is the one it cannot do without.
var netTools = []string{"nft", "tc", "ip"}

// EnsureNetTools returns the helper image of network faults, building it
// from the host's binaries when the engine does not have it yet. Its tag
// is a hash of the binaries, so an upgraded nft gets a new image.
func EnsureNetTools(ctx context.Context, eng engine.Engine, host Host, progress io.Writer) (string, error) {
	host = host.orDefault()
	if progress == nil {
		progress = io.Discard
	}
	exes, err := findNetTools(host)
	if err != nil {
		return "", err
	}
	tag, err := netToolsTag(exes)
	if err != nil {
		return "", err
	}
	if ok, err := eng.ImageExists(ctx, tag); err != nil || ok {
		return tag, err
	}
	fmt.Fprintf(progress, "building %s from this host's %s (the helper that sets network faults)\n", tag, joinBase(exes))
	buildContext, err := netToolsContext(host, exes, tcDistributions())
	if err != nil {
		return "", err
	}
	if err := eng.BuildImage(ctx, tag, buildContext, progress); err != nil {
		return "", err
	}
	return tag, nil
}

// findNetTools finds the helper's programs on the host, also in the
// sbin folders a user's PATH often lacks.
func findNetTools(host Host) ([]string, error) {
	var out []string
	for _, name := range netTools {
		path := ""
		for _, try := range []string{name, "/usr/sbin/" + name, "/sbin/" + name} {
			if p, err := host.LookPath(try); err == nil {
				path = p
				break
			}
		}
		switch {
		case path != "":
			out = append(out, path)
		case name == "nft":
			return nil, fmt.Errorf("network faults (--mode loss) need nft on this host to build their helper image %s; install it (`apt-get install nftables`)", NetToolsRepository)
		}
	}
	return out, nil
}

// netToolsContext is the helper's build context: the programs under
// /usr/local/bin, their libraries and loader at their host paths, extra
// files at theirs.
func netToolsContext(host Host, exes, extra []string) (*bytes.Buffer, error) {
	files := map[string]string{} // path in the image -> host path
	for _, p := range extra {
		files[p] = p
	}
	libDirs := map[string]bool{}
	r := host.resolver()
	for _, exe := range exes {
		files[binDir+"/"+filepath.Base(exe)] = exe
		libs, err := r.libraries(exe)
		if err != nil {
			return nil, err
		}
		for _, l := range libs {
			files[l] = l
			libDirs[filepath.Dir(l)] = true
		}
	}
	df := "FROM scratch\nCOPY rootfs/ /\nENV PATH=" + binDir + "\n"
	if len(libDirs) > 0 {
		df += "ENV LD_LIBRARY_PATH=" + strings.Join(sorted(libDirs), ":") + "\n"
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := addFile(tw, "Dockerfile", []byte(df), 0o644); err != nil {
		return nil, err
	}
	for _, p := range sorted(files) {
		content, err := os.ReadFile(files[p])
		if err != nil {
			return nil, fmt.Errorf("reading %s for the helper image: %w", files[p], err)
		}
		if err := addFile(tw, "rootfs"+p, content, 0o755); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return &buf, nil
}

func netToolsTag(exes []string) (string, error) {
	h := sha256.New()
	for _, exe := range exes {
		b, err := os.ReadFile(exe)
		if err != nil {
			return "", fmt.Errorf("reading %s for the helper image: %w", exe, err)
		}
		fmt.Fprintf(h, "%s %d\n", filepath.Base(exe), len(b))
		h.Write(b)
	}
	return fmt.Sprintf("%s:%s-local", NetToolsRepository, hex.EncodeToString(h.Sum(nil))[:12]), nil
}

// tcDistributions are netem's delay distribution tables, which tc reads
// for a jitter; they are small, and absent on hosts without iproute2.
func tcDistributions() []string {
	var out []string
	for _, dir := range []string{"/usr/lib/tc", "/usr/lib64/tc"} {
		matches, _ := filepath.Glob(filepath.Join(dir, "*.dist"))
		out = append(out, matches...)
	}
	sort.Strings(out)
	return out
}

func joinBase(paths []string) string {
	s := ""
	for i, p := range paths {
		if i > 0 {
			s += ", "
		}
		s += filepath.Base(p)
	}
	return s
}
