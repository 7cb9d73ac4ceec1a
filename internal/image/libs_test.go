package image

import (
	"debug/elf"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fakeFS is a host of ELF objects by path, for the resolver.
type fakeFS map[string]object

func (f fakeFS) read(path string) (object, error) {
	if o, ok := f[path]; ok {
		return o, nil
	}
	return object{}, os.ErrNotExist
}

func lib64(needed ...string) object {
	return object{class: elf.ELFCLASS64, machine: elf.EM_X86_64, needed: needed}
}

func TestLibrariesInTheLoadersOrder(t *testing.T) {
	exe := lib64("libfoo.so.1", "libc.so.6")
	exe.runpath = []string{"$ORIGIN/../lib"}
	fs := fakeFS{
		"/opt/redis/bin/redis-server": exe,
		// The runpath wins over the system folder ...
		"/opt/redis/lib/libfoo.so.1": lib64("libbar.so.2"),
		"/usr/lib/libfoo.so.1":       lib64(),
		// ... a library of another class is skipped, as the loader does ...
		"/env/libbar.so.2":                {class: elf.ELFCLASS32, machine: elf.EM_386},
		"/usr/local/lib/libbar.so.2":      lib64("libc.so.6"),
		"/lib/x86_64-linux-gnu/libc.so.6": lib64(),
	}
	r := resolver{read: fs.read, env: []string{"/env"}, conf: []string{"/usr/local/lib"}, system: systemDirs}
	got, err := r.libraries("/opt/redis/bin/redis-server")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/opt/redis/lib/libfoo.so.1", "/usr/local/lib/libbar.so.2", "/lib/x86_64-linux-gnu/libc.so.6"}
	if !slices.Equal(got, want) {
		t.Errorf("libraries %q, want %q", got, want)
	}
}

// DT_RPATH comes before LD_LIBRARY_PATH, but only without a DT_RUNPATH.
func TestRPathBeforeTheEnvironment(t *testing.T) {
	exe := lib64("libfoo.so.1")
	exe.rpath = []string{"/rpath"}
	fs := fakeFS{"/bin/redis-server": exe, "/rpath/libfoo.so.1": lib64(), "/env/libfoo.so.1": lib64()}
	r := resolver{read: fs.read, env: []string{"/env"}}
	if got, err := r.libraries("/bin/redis-server"); err != nil || !slices.Equal(got, []string{"/rpath/libfoo.so.1"}) {
		t.Errorf("with DT_RPATH: %q, %v", got, err)
	}
	exe.runpath = []string{"/runpath"}
	fs["/bin/redis-server"] = exe
	if got, err := r.libraries("/bin/redis-server"); err != nil || !slices.Equal(got, []string{"/env/libfoo.so.1"}) {
		t.Errorf("with DT_RUNPATH too: %q, %v", got, err)
	}
}

func TestMissingLibraryIsNamedWithTheFoldersSearched(t *testing.T) {
	fs := fakeFS{"/x/redis-server": lib64("libssl.so.3")}
	r := resolver{read: fs.read, conf: []string{"/usr/local/lib"}, system: []string{"/lib", "/usr/lib"}}
	_, err := r.libraries("/x/redis-server")
	if err == nil {
		t.Fatal("no error for a library that is nowhere")
	}
	for _, want := range []string{"/x/redis-server needs libssl.so.3", "/usr/local/lib, /lib, /usr/lib", "LD_LIBRARY_PATH"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
}

func TestLdSoConfFollowsIncludes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "ld.so.conf.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	write("ld.so.conf", "# comment\ninclude ld.so.conf.d/*.conf\n/opt/lib # trailing comment\n")
	write("ld.so.conf.d/a.conf", "/usr/local/lib\n\nhwcap 0 nosegneg\n")
	write("ld.so.conf.d/b.conf", "/usr/local/lib/x86_64-linux-gnu\n")
	got := ldSoConf(filepath.Join(dir, "ld.so.conf"), 0)
	want := []string{"/usr/local/lib", "/usr/local/lib/x86_64-linux-gnu", "/opt/lib"}
	if !slices.Equal(got, want) {
		t.Errorf("folders %q, want %q", got, want)
	}
}

// On a host with a dynamically linked binary, the real resolver finds the
// loader and libc, as ldd does.
func TestHostResolverOnARealBinary(t *testing.T) {
	exe := "/bin/ls"
	if _, err := os.Stat(exe); err != nil {
		t.Skip("no /bin/ls")
	}
	libs, err := hostResolver().libraries(exe)
	if err != nil {
		t.Fatal(err)
	}
	var libc, loader bool
	for _, l := range libs {
		libc = libc || strings.HasSuffix(l, "/libc.so.6")
		loader = loader || strings.Contains(filepath.Base(l), "ld-linux")
	}
	if !libc || !loader {
		t.Errorf("libraries of %s: %q, want libc and the loader", exe, libs)
	}
}
