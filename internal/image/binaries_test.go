package image

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/server"
)

var ctx = context.Background()

// copyELF copies a real ELF executable of this host to dir/name, so tests
// have binaries of any name; the fake Run decides what --version prints.
func copyELF(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile("/bin/true")
	if err != nil {
		t.Skip("no /bin/true to copy")
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// fakeHost answers --version from a table by file name and finds no
// libraries beyond what fs holds.
func fakeHost(versions map[string]string, fs fakeFS) Host {
	r := resolver{read: func(p string) (object, error) {
		if o, ok := fs[p]; ok {
			return o, nil
		}
		return lib64(), nil // every binary of the test: no libraries
	}}
	return Host{
		LookPath: func(string) (string, error) { return "", os.ErrNotExist },
		Run: func(_ context.Context, path string, _ ...string) (string, error) {
			if v, ok := versions[filepath.Base(path)]; ok {
				return v, nil
			}
			return "", errors.New("exit status 1")
		},
		libs: &r,
	}
}

func TestInspectRefusesWhatIsNoServer(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "script")
	os.WriteFile(script, []byte("#!/bin/sh\necho 'Redis server v=7.4.1 sha=0'\n"), 0o755)
	plain := filepath.Join(dir, "plain")
	os.WriteFile(plain, []byte("x"), 0o644)
	notRedis := copyELF(t, dir, "true")
	host := fakeHost(map[string]string{"true": "true (GNU coreutils) 9.1\n"}, nil)
	tests := []struct{ path, want string }{
		{filepath.Join(dir, "absent"), "no such file"},
		{dir, "is a folder"},
		{plain, "is not executable"},
		{script, "not an ELF executable"},
		{notRedis, `is not a Redis or Valkey server: it printed "true (GNU coreutils) 9.1"`},
	}
	for _, tt := range tests {
		_, err := Inspect(ctx, host, tt.path, "")
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.path) {
			t.Errorf("%s: %v, want an error naming it with %q", tt.path, err, tt.want)
		}
	}
}

func TestInspectFindsTheCLIBesideTheServer(t *testing.T) {
	dir := t.TempDir()
	srv := copyELF(t, dir, "valkey-server")
	cli := copyELF(t, dir, "valkey-cli")
	host := fakeHost(map[string]string{
		"valkey-server": "Valkey server v=8.0.1 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=39f7c371e0a96e3d\n",
		"valkey-cli":    "valkey-cli 8.0.1\n",
	}, nil)
	b, err := Inspect(ctx, host, srv, "")
	if err != nil {
		t.Fatal(err)
	}
	if b.Is.String() != "Valkey 8.0.1" || b.CLI != cli || b.CLIIs.Kind != server.Valkey || b.Note != "" {
		t.Errorf("binaries %+v", b)
	}
	if got := LocalTag(b.Is); got != "sentinel-lab/valkey:8.0.1-local" {
		t.Errorf("tag %s", got)
	}
}

func TestInspectWithoutACLISaysSo(t *testing.T) {
	srv := copyELF(t, t.TempDir(), "redis-server")
	host := fakeHost(map[string]string{"redis-server": "Redis server v=6.2.16 sha=00000000:0 malloc=jemalloc-5.1.0 bits=64 build=fd3e9c0a82d50f82\n"}, nil)
	b, err := Inspect(ctx, host, srv, "")
	if err != nil {
		t.Fatal(err)
	}
	if b.CLI != "" || !strings.Contains(b.Note, "no redis-cli beside") || !strings.Contains(b.Note, "--redis-cli") {
		t.Errorf("binaries %+v", b)
	}
	if got := LocalTag(b.Is); got != "sentinel-lab/redis:6.2.16-local" {
		t.Errorf("tag %s", got)
	}
}

func TestInspectRefusesAWrongCLI(t *testing.T) {
	dir := t.TempDir()
	srv := copyELF(t, dir, "redis-server")
	other := copyELF(t, dir, "ls")
	host := fakeHost(map[string]string{"redis-server": "Redis server v=7.4.1 sha=0 malloc=libc bits=64\n", "ls": "ls (GNU coreutils) 9.1\n"}, nil)
	if _, err := Inspect(ctx, host, srv, other); err == nil || !strings.Contains(err.Error(), "--redis-cli "+other+" is not redis-cli or valkey-cli") {
		t.Errorf("got %v", err)
	}
}

func TestInspectRefusesAServerWithAMissingLibrary(t *testing.T) {
	srv := copyELF(t, t.TempDir(), "redis-server")
	host := fakeHost(map[string]string{"redis-server": "Redis server v=7.4.1 sha=0 malloc=libc bits=64\n"},
		fakeFS{srv: lib64("libredis-patched.so.1")})
	_, err := Inspect(ctx, host, srv, "")
	if err == nil || !strings.Contains(err.Error(), "cannot build an image from "+srv+": "+srv+" needs libredis-patched.so.1") {
		t.Errorf("got %v", err)
	}
}

// The image runs any server as redis-server, under its family's name: a
// Valkey server also gets the Redis names as links, as the official valkey
// image has them.
func TestContextOfAValkeyServer(t *testing.T) {
	dir := t.TempDir()
	b := &Binaries{
		Server: copyELF(t, dir, "valkey-server-patched"), Is: server.Server{Kind: server.Valkey, Version: server.Version{Major: 8, Minor: 0, Patch: 1}},
		CLI: copyELF(t, dir, "valkey-cli"), CLIIs: server.Server{Kind: server.Valkey},
		Libraries: []string{"/bin/true"},
	}
	buf, err := Context(b)
	if err != nil {
		t.Fatal(err)
	}
	entries := map[string]string{}
	var dockerfile string
	tr := tar.NewReader(buf)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		entries[h.Name] = h.Linkname
		if h.Name == "Dockerfile" {
			b, _ := io.ReadAll(tr)
			dockerfile = string(b)
		}
	}
	for name, link := range map[string]string{
		"rootfs/usr/local/bin/valkey-server": "", "rootfs/usr/local/bin/redis-server": "valkey-server",
		"rootfs/usr/local/bin/valkey-cli": "", "rootfs/usr/local/bin/redis-cli": "valkey-cli",
		"rootfs/bin/true": "",
	} {
		got, ok := entries[name]
		if !ok || got != link {
			t.Errorf("%s: present %v, link %q; want link %q", name, ok, got, link)
		}
	}
	for _, want := range []string{`ENTRYPOINT ["redis-server"]`, "ENV LD_LIBRARY_PATH=/bin\n", `LABEL sentinel-lab.server="Valkey 8.0.1"`} {
		if !strings.Contains(dockerfile, want) {
			t.Errorf("Dockerfile lacks %q:\n%s", want, dockerfile)
		}
	}
}

// Debian's redis-server, where installed: a real Redis, its real libraries.
func TestInspectDebiansRedisServer(t *testing.T) {
	const srv = "/usr/bin/redis-server"
	if _, err := os.Stat(srv); err != nil {
		t.Skip("no " + srv)
	}
	b, err := Inspect(ctx, DefaultHost, srv, "")
	if err != nil {
		t.Fatal(err)
	}
	if b.Is.Kind != server.Redis || b.CLI != "/usr/bin/redis-cli" || len(b.Libraries) < 3 {
		t.Errorf("binaries %+v", b)
	}
}
