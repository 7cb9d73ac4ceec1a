package image

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

const dockerfile = `FROM scratch
COPY rootfs/ /
ENV PATH=/usr/local/bin
ENTRYPOINT ["redis-server"]
`

// Context builds a tar build context holding each executable (under
// /usr/local/bin, by the name it was found under, so a redis-server that is
// a symlink to redis-check-rdb still runs as redis-server), every shared
// library it needs and the dynamic loader, at their host paths.
func Context(executables []string) (*bytes.Buffer, error) {
	return contextOf(dockerfile, executables, nil)
}

// contextOf is a build context of df, the executables with their
// libraries, and extra host files at their own paths.
func contextOf(df string, executables, extra []string) (*bytes.Buffer, error) {
	files := map[string]string{} // path in the image -> host path
	for _, p := range extra {
		files[p] = p
	}
	for _, exe := range executables {
		files["/usr/local/bin/"+filepath.Base(exe)] = exe
		deps, err := sharedLibraries(exe)
		if err != nil {
			return nil, err
		}
		for _, d := range deps {
			files[d] = d
		}
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := addFile(tw, "Dockerfile", []byte(df), 0o644); err != nil {
		return nil, err
	}
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		content, err := os.ReadFile(files[p]) // follows symlinks
		if err != nil {
			return nil, fmt.Errorf("reading %s for the local image: %w", files[p], err)
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

func addFile(tw *tar.Writer, name string, content []byte, mode int64) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: mode, Size: int64(len(content)), Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	_, err := tw.Write(content)
	return err
}

// libraryDirs are searched for DT_NEEDED libraries, as the loader would on
// Debian-like systems.
var libraryDirs = []string{
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
	"/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
	"/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib",
}

// sharedLibraries returns the host paths of every library exe needs,
// transitively, and of its dynamic loader.
func sharedLibraries(exe string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	var visit func(path string) error
	visit = func(path string) error {
		f, err := elf.Open(path)
		if err != nil {
			return fmt.Errorf("%s is not an executable this machine can run (%v)", path, err)
		}
		defer f.Close()
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				b := make([]byte, p.Filesz)
				if _, err := p.ReadAt(b, 0); err == nil {
					interp := strings.TrimRight(string(b), "\x00")
					if !seen[interp] {
						seen[interp] = true
						out = append(out, interp)
					}
				}
			}
		}
		needed, err := f.ImportedLibraries()
		if err != nil {
			return fmt.Errorf("reading the libraries %s needs: %w", path, err)
		}
		for _, lib := range needed {
			found := ""
			for _, dir := range libraryDirs {
				if _, err := os.Stat(filepath.Join(dir, lib)); err == nil {
					found = filepath.Join(dir, lib)
					break
				}
			}
			if found == "" {
				return fmt.Errorf("%s needs %s, which is not in %s", path, lib, strings.Join(libraryDirs, ", "))
			}
			if seen[found] {
				continue
			}
			seen[found] = true
			out = append(out, found)
			if err := visit(found); err != nil {
				return err
			}
		}
		return nil
	}
	if err := visit(exe); err != nil {
		return nil, err
	}
	return out, nil
}
