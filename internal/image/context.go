package image

import (
	"archive/tar"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sentinel-lab/sentinel-lab/internal/server"
)

// binDir holds the server and cli in the image, on its PATH.
const binDir = "/usr/local/bin"

// entrypoint is what the lab's compose file runs: `redis-server`, for
// Valkey too.
const entrypoint = "redis-server"

// Context builds a tar build context: the server and cli under /usr/local/bin
// by their family's names (a file given as ./src/redis-server-patched still
// runs as redis-server), every shared library and the loader at their host
// paths, and a Dockerfile. A Valkey image also has redis-server and
// redis-cli as links to valkey-server and valkey-cli, as the official
// valkey image does, so the lab's `redis-server` entrypoint and `cli` work.
func Context(b *Binaries) (*bytes.Buffer, error) {
	files := map[string]string{} // path in the image -> host path
	links := map[string]string{} // path in the image -> link target
	place := func(host string, kind server.Kind, name func(server.Kind) string) {
		files[binDir+"/"+name(kind)] = host
		if kind != server.Redis {
			links[binDir+"/"+name(server.Redis)] = name(kind)
		}
	}
	place(b.Server, b.Is.Kind, server.Kind.ServerBinary)
	if b.CLI != "" {
		place(b.CLI, b.CLIIs.Kind, server.Kind.CLIBinary)
	}
	libDirs := map[string]bool{}
	for _, l := range b.Libraries {
		files[l] = l
		libDirs[filepath.Dir(l)] = true
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := addFile(tw, "Dockerfile", []byte(dockerfile(b, libDirs)), 0o644); err != nil {
		return nil, err
	}
	for _, p := range sorted(files) {
		content, err := os.ReadFile(files[p]) // follows symlinks
		if err != nil {
			return nil, fmt.Errorf("reading %s for the local image: %w", files[p], err)
		}
		if err := addFile(tw, "rootfs"+p, content, 0o755); err != nil {
			return nil, err
		}
	}
	for _, p := range sorted(links) {
		if err := tw.WriteHeader(&tar.Header{Name: "rootfs" + p, Linkname: links[p], Mode: 0o777, Typeflag: tar.TypeSymlink}); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return &buf, nil
}

// dockerfile copies the files in. LD_LIBRARY_PATH names the libraries'
// folders: a FROM scratch image has no ld.so.cache, so a library found on
// the host through ld.so.conf (/usr/local/lib) would not be found in it.
func dockerfile(b *Binaries, libDirs map[string]bool) string {
	var sb strings.Builder
	sb.WriteString("FROM scratch\nCOPY rootfs/ /\n")
	fmt.Fprintf(&sb, "ENV PATH=%s\n", binDir)
	if len(libDirs) > 0 {
		fmt.Fprintf(&sb, "ENV LD_LIBRARY_PATH=%s\n", strings.Join(sorted(libDirs), ":"))
	}
	fmt.Fprintf(&sb, "LABEL sentinel-lab.server=%q\n", b.Is.String())
	fmt.Fprintf(&sb, "ENTRYPOINT [%q]\n", entrypoint)
	return sb.String()
}

func sorted[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func addFile(tw *tar.Writer, name string, content []byte, mode int64) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: mode, Size: int64(len(content)), Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	_, err := tw.Write(content)
	return err
}
