package image

import (
	"bufio"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// object is what the dynamic loader reads of an ELF file.
type object struct {
	class   elf.Class
	machine elf.Machine
	// interp is the loader the file asks for (PT_INTERP), "" when static.
	interp string
	// needed are its DT_NEEDED libraries, rpath and runpath its DT_RPATH
	// and DT_RUNPATH folders.
	needed, rpath, runpath []string
}

// errNotELF marks a file that is no ELF executable or library at all.
var errNotELF = errors.New("not an ELF file")

// readObject reads an ELF file's loader, libraries and search folders.
func readObject(path string) (object, error) {
	f, err := elf.Open(path)
	if err != nil {
		var fe *elf.FormatError
		if errors.As(err, &fe) {
			return object{}, errNotELF
		}
		return object{}, err
	}
	defer f.Close()
	o := object{class: f.Class, machine: f.Machine}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			b := make([]byte, p.Filesz)
			if _, err := p.ReadAt(b, 0); err != nil {
				return object{}, fmt.Errorf("reading the loader %s asks for: %w", path, err)
			}
			o.interp = strings.TrimRight(string(b), "\x00")
		}
	}
	if o.needed, err = f.ImportedLibraries(); err != nil {
		return object{}, fmt.Errorf("reading the libraries %s needs: %w", path, err)
	}
	for tag, dst := range map[elf.DynTag]*[]string{elf.DT_RPATH: &o.rpath, elf.DT_RUNPATH: &o.runpath} {
		vals, _ := f.DynString(tag)
		for _, v := range vals {
			*dst = append(*dst, filepath.SplitList(v)...)
		}
	}
	return o, nil
}

// systemDirs are the folders the loader searches last, without a cache
// (glibc's trusted directories, Debian's multiarch ones first). The same
// list holds both architectures: a library of the wrong one is skipped.
var systemDirs = []string{
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
	"/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
	"/lib64", "/usr/lib64", "/lib", "/usr/lib",
}

// resolver finds, as the dynamic loader would on this host, the file each
// DT_NEEDED library of an executable is loaded from.
type resolver struct {
	read func(path string) (object, error)
	// env is LD_LIBRARY_PATH, conf the folders /etc/ld.so.conf names,
	// system the loader's own.
	env, conf, system []string
}

// hostResolver searches this host's folders.
func hostResolver() resolver {
	return resolver{
		read:   readObject,
		env:    filepath.SplitList(os.Getenv("LD_LIBRARY_PATH")),
		conf:   ldSoConf("/etc/ld.so.conf", 0),
		system: systemDirs,
	}
}

// libraries returns the host paths of the loader exe asks for and of every
// library it needs, transitively, in the order they are found.
func (r resolver) libraries(exe string) ([]string, error) {
	top, err := r.read(exe)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	if top.interp != "" {
		if _, err := os.Stat(top.interp); err != nil {
			return nil, fmt.Errorf("%s asks for the loader %s, which this host does not have", exe, top.interp)
		}
		seen[top.interp] = true
		out = append(out, top.interp)
	}
	var visit func(path string, o object) error
	visit = func(path string, o object) error {
		for _, lib := range o.needed {
			found, lo, dirs := r.find(lib, path, o, top)
			if found == "" {
				return fmt.Errorf("%s needs %s, which is in none of %s; install the package that has it, or point LD_LIBRARY_PATH at its folder",
					path, lib, strings.Join(dirs, ", "))
			}
			if seen[found] {
				continue
			}
			seen[found] = true
			out = append(out, found)
			if err := visit(found, lo); err != nil {
				return err
			}
		}
		return nil
	}
	if err := visit(exe, top); err != nil {
		return nil, err
	}
	return out, nil
}

// find looks for lib, needed by the object o at path, in the loader's
// order: DT_RPATH (when there is no DT_RUNPATH), LD_LIBRARY_PATH,
// DT_RUNPATH, the ld.so.conf folders, the system folders. A file of another
// class or machine than the executable is skipped, as the loader does. It
// returns the folders it searched when it finds nothing.
func (r resolver) find(lib, path string, o, top object) (string, object, []string) {
	if strings.Contains(lib, "/") {
		lo, err := r.read(lib)
		if err == nil && lo.class == top.class && lo.machine == top.machine {
			return lib, lo, nil
		}
		return "", object{}, []string{lib}
	}
	origin := filepath.Dir(path)
	if real, err := filepath.EvalSymlinks(path); err == nil {
		origin = filepath.Dir(real)
	}
	var dirs []string
	if len(o.runpath) == 0 {
		dirs = append(dirs, expandOrigin(o.rpath, origin)...)
	}
	dirs = append(dirs, r.env...)
	dirs = append(dirs, expandOrigin(o.runpath, origin)...)
	dirs = append(dirs, r.conf...)
	dirs = append(dirs, r.system...)
	for _, d := range dirs {
		if d == "" {
			continue
		}
		candidate := filepath.Join(d, lib)
		lo, err := r.read(candidate)
		if err == nil && lo.class == top.class && lo.machine == top.machine {
			return candidate, lo, nil
		}
	}
	return "", object{}, dirs
}

func expandOrigin(dirs []string, origin string) []string {
	out := make([]string, len(dirs))
	for i, d := range dirs {
		d = strings.ReplaceAll(d, "${ORIGIN}", origin)
		out[i] = strings.ReplaceAll(d, "$ORIGIN", origin)
	}
	return out
}

// ldSoConf reads the folders an ld.so.conf names, following its include
// lines (globs, relative to the file's folder); depth bounds include loops.
func ldSoConf(path string, depth int) []string {
	f, err := os.Open(path)
	if err != nil || depth > 8 {
		return nil
	}
	defer f.Close()
	var dirs []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "hwcap "):
		case strings.HasPrefix(line, "include "):
			pattern := strings.TrimSpace(strings.TrimPrefix(line, "include "))
			if !filepath.IsAbs(pattern) {
				pattern = filepath.Join(filepath.Dir(path), pattern)
			}
			matches, _ := filepath.Glob(pattern)
			for _, m := range matches {
				dirs = append(dirs, ldSoConf(m, depth+1)...)
			}
		default:
			dirs = append(dirs, line)
		}
	}
	return dirs
}
