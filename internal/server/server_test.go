package server

import (
	"encoding/json"
	"testing"
)

func fields(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// INFO server as each server answers it (the fields that matter, copied
// from real replies).
func TestFromInfo(t *testing.T) {
	tests := []struct {
		name string
		info map[string]string
		want string
	}{
		{"Redis 6.2.16", map[string]string{"redis_version": "6.2.16", "redis_mode": "standalone"}, "Redis 6.2.16"},
		{"Redis 7.4.1", map[string]string{"redis_version": "7.4.1"}, "Redis 7.4.1"},
		{"Valkey 8.0.1", map[string]string{"redis_version": "7.2.4", "server_name": "valkey", "valkey_version": "8.0.1"}, "Valkey 8.0.1"},
		{"Valkey 7.2 without valkey_version", map[string]string{"redis_version": "7.2.4", "server_name": "valkey"}, "Valkey 7.2.4"},
		{"an unstable build", map[string]string{"redis_version": "255.255.255"}, "Redis 255.255.255"},
	}
	for _, tt := range tests {
		got, ok := FromInfo(fields(tt.info))
		if !ok || got.String() != tt.want {
			t.Errorf("%s: got %q, %v; want %q", tt.name, got, ok, tt.want)
		}
	}
	if s, ok := FromInfo(fields(map[string]string{"sentinel_masters": "1"})); ok {
		t.Errorf("INFO without a version gave %v", s)
	}
}

// What `--version` prints, copied from the servers of the version matrix.
func TestFromVersionOutput(t *testing.T) {
	tests := []struct{ out, want string }{
		{"Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=ae4d7c971a948f0\n", "Redis 7.0.15"},
		{"Redis server v=6.2.16 sha=00000000:0 malloc=jemalloc-5.1.0 bits=64 build=fd3e9c0a82d50f82\n", "Redis 6.2.16"},
		{"Redis server v=7.4.1 sha=00000000:1 malloc=jemalloc-5.3.0 bits=64 build=fc115cc0ac36aa05\n", "Redis 7.4.1"},
		{"Valkey server v=8.0.1 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=39f7c371e0a96e3d\n", "Valkey 8.0.1"},
		{"Redis server v=8.0.0-rc1 sha=00000000:0 malloc=libc bits=64 build=1\n", "Redis 8.0.0"},
	}
	for _, tt := range tests {
		got, err := FromVersionOutput(tt.out)
		if err != nil || got.String() != tt.want {
			t.Errorf("FromVersionOutput(%q) = %q, %v; want %q", tt.out, got, err, tt.want)
		}
	}
	for _, out := range []string{"ls (GNU coreutils) 9.1\n", "redis-cli 7.0.15\n", "", "Redis server 7.4.1\n"} {
		if s, err := FromVersionOutput(out); err == nil {
			t.Errorf("FromVersionOutput(%q) = %v, want an error", out, s)
		}
	}
}

func TestCLIFromVersionOutput(t *testing.T) {
	for out, want := range map[string]string{"redis-cli 7.0.15\n": "Redis 7.0.15", "valkey-cli 8.0.1\n": "Valkey 8.0.1", "redis-cli 6.2.16": "Redis 6.2.16"} {
		if got, err := CLIFromVersionOutput(out); err != nil || got.String() != want {
			t.Errorf("CLIFromVersionOutput(%q) = %q, %v; want %q", out, got, err, want)
		}
	}
	if _, err := CLIFromVersionOutput("Redis server v=7.0.15 sha=0"); err == nil {
		t.Error("a server's --version taken for a cli's")
	}
}

func TestFeatures(t *testing.T) {
	r62, r70, r74 := Server{Redis, Version{6, 2, 16}}, Server{Redis, Version{7, 0, 0}}, Server{Redis, Version{7, 4, 1}}
	v72, v8 := Server{Valkey, Version{7, 2, 5}}, Server{Valkey, Version{8, 0, 1}}
	for _, f := range []Feature{MultiSectionInfo, SentinelDebug, EnableDebugCommand} {
		if r62.Has(f) {
			t.Errorf("Redis 6.2.16 has %s", f.Name)
		}
		for _, s := range []Server{r70, r74, v72, v8} {
			if !s.Has(f) {
				t.Errorf("%s lacks %s", s, f.Name)
			}
		}
		if (Server{}).Has(f) {
			t.Errorf("an unknown server has %s", f.Name)
		}
	}
}

func TestUnsupportedErrorNamesFeatureAndVersion(t *testing.T) {
	err := Server{Redis, Version{6, 2, 16}}.Require(SentinelDebug)
	want := "SENTINEL DEBUG needs Redis >= 7.0 or Valkey; this lab runs Redis 6.2.16"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
	if err := (Server{Valkey, Version{8, 0, 1}}).Require(SentinelDebug); err != nil {
		t.Errorf("Valkey 8: %v", err)
	}
	f := Feature{Name: "X", Redis: Version{8, 2, 0}, Valkey: Version{9, 0, 0}}
	if got := f.Needs(); got != "Redis >= 8.2 or Valkey >= 9.0" {
		t.Errorf("Needs = %q", got)
	}
}

func TestLogWording(t *testing.T) {
	for s, want := range map[Server]string{
		{Redis, Version{7, 4, 1}}: "master", {Valkey, Version{7, 2, 5}}: "master", {Valkey, Version{8, 0, 1}}: "primary",
	} {
		if got := s.LogWording(); got != want {
			t.Errorf("%s: %q, want %q", s, got, want)
		}
	}
}

func TestJSONIsTheReadableName(t *testing.T) {
	b, err := json.Marshal(struct {
		S Server `json:"server"`
	}{Server{Valkey, Version{8, 0, 1}}})
	if err != nil || string(b) != `{"server":"Valkey 8.0.1"}` {
		t.Fatalf("%s, %v", b, err)
	}
	var back struct {
		S Server `json:"server"`
	}
	if err := json.Unmarshal(b, &back); err != nil || back.S != (Server{Valkey, Version{8, 0, 1}}) {
		t.Errorf("read back %v, %v", back.S, err)
	}
	if err := json.Unmarshal([]byte(`{"server":""}`), &back); err != nil || !back.S.IsZero() {
		t.Errorf("empty: %v, %v", back.S, err)
	}
}

func TestDescribe(t *testing.T) {
	r62, r74 := Server{Redis, Version{6, 2, 16}}, Server{Redis, Version{7, 4, 1}}
	order := []string{"master", "node-1", "node-2"}
	if got := Describe(map[string]Server{"master": r62, "node-1": r62}, order); got != "Redis 6.2.16" {
		t.Errorf("same server: %q", got)
	}
	got := Describe(map[string]Server{"master": r62, "node-1": r74, "node-2": r62}, order)
	if want := "Redis 6.2.16 (master, node-2); Redis 7.4.1 (node-1)"; got != want {
		t.Errorf("mixed: %q, want %q", got, want)
	}
	if got := Describe(nil, order); got != "" {
		t.Errorf("none known: %q", got)
	}
}
