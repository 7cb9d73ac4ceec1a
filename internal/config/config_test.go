package config

import (
	"errors"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/timers"
)

func load(t *testing.T, l Layers) (*Config, error) {
	t.Helper()
	if l.Dir == "" {
		l.Dir = "/labs/my-lab"
	}
	if l.UID == 0 && l.GID == 0 {
		l.UID, l.GID = 1000, 1001
	}
	return Load(l)
}

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaults(t *testing.T) {
	c, err := load(t, Layers{})
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Name: "my-lab", MasterName: "redis-master", Replicas: 2, Sentinels: 3, Quorum: 2,
		DownAfter: 3 * time.Second, FailoverTimeout: 10 * time.Second, ParallelSyncs: 1,
		Image: "redis:7.2", Port: 6379, SentinelPort: 26379, Bind: "127.0.0.1", Addressing: "ip", Subnet: "auto",
		User: "1000:1001", Auth: true, MinReplicasMaxLag: 10 * time.Second,
		Engine: "docker", Placement: "spread", Timers: timers.Normal,
	}
	c.Sources = nil
	if !reflect.DeepEqual(*c, want) {
		t.Errorf("defaults:\n got %+v\nwant %+v", *c, want)
	}
}

func TestLayersPrecedence(t *testing.T) {
	c, err := load(t, Layers{
		Remembered: map[string]string{"replicas": "5", "sentinels": "5", "port": "7000"},
		File:       []byte("replicas: 4\nsentinels: 5\nimage: valkey/valkey:8\n"),
		Env:        envOf(map[string]string{"SENTINEL_LAB_REPLICAS": "3", "SENTINEL_LAB_IMAGE": "redis:7.4"}),
		Flags:      map[string]string{"replicas": "1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		key, got, want, source string
	}{
		{"replicas", itoa(c.Replicas), "1", "flag --replicas"},
		{"image", c.Image, "redis:7.4", "env SENTINEL_LAB_IMAGE"},
		{"sentinels", itoa(c.Sentinels), "5", "sentinel-lab.yaml:2"},
		{"port", itoa(c.Port), "7000", "flag --port (remembered)"},
		{"quorum", itoa(c.Quorum), "3", "default (a majority of 5 sentinels)"},
		{"sentinel-port", itoa(c.SentinelPort), "27000", "default (port+20000)"},
		{"master-name", c.MasterName, "redis-master", "default"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %s, want %s", ch.key, ch.got, ch.want)
		}
		if got := c.Sources[ch.key].String(); got != ch.source {
			t.Errorf("source of %s = %q, want %q", ch.key, got, ch.source)
		}
	}
}

func TestNoAuthFlagAndDurations(t *testing.T) {
	c, err := load(t, Layers{
		Flags: map[string]string{"no-auth": "true", "down-after": "1000", "failover-timeout": "2.5s"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Auth {
		t.Error("--no-auth left auth on")
	}
	if c.DownAfterMS() != 1000 || c.FailoverTimeoutMS() != 2500 {
		t.Errorf("down-after %dms, failover-timeout %dms; want 1000 and 2500", c.DownAfterMS(), c.FailoverTimeoutMS())
	}
}

// Every bad value is reported at once, each naming the value and a fix.
func TestValidationNamesEveryProblem(t *testing.T) {
	cases := []struct {
		name  string
		flags map[string]string
		file  string
		want  []string // substrings the error must contain
		n     int      // number of problems; 0 means len(want)
	}{
		{"quorum above sentinels", map[string]string{"quorum": "4"},
			"", []string{"quorum 4 is larger than the 3 sentinels; use --quorum 2 or --sentinels 4"}, 0},
		{"quorum zero", map[string]string{"quorum": "0"}, "", []string{"quorum 0", "use --quorum 2"}, 1},
		{"zero replicas", map[string]string{"replicas": "0"}, "", []string{"replicas 0", "use --replicas 1"}, 1},
		{"zero sentinels", map[string]string{"sentinels": "0"}, "", []string{"sentinels 0", "use --sentinels 3"}, 1},
		{"master name charset", map[string]string{"master-name": "my master!"}, "",
			[]string{`master name "my master!"`, "use --master-name my-master ("}, 1},
		{"port out of range", map[string]string{"port": "65534"}, "",
			[]string{"port 65534 puts the data nodes at 65534-65536, outside 1-65535"}, 0},
		{"sentinel port out of range", map[string]string{"sentinel-port": "0"}, "", []string{"sentinel-port 0"}, 0},
		{"ports collide", map[string]string{"port": "7000", "sentinel-port": "7001"}, "",
			[]string{"ports collide: data nodes use 7000-7002 and sentinels 7001-7003; use --sentinel-port 27000"}, 0},
		{"down-after too small", map[string]string{"down-after": "50"}, "", []string{"down-after 50ms is below 100ms"}, 0},
		{"failover-timeout not above down-after", map[string]string{"down-after": "5s", "failover-timeout": "5s"}, "",
			[]string{"failover-timeout 5s must be longer than down-after 5s; use --failover-timeout 15s"}, 0},
		{"empty image", map[string]string{"image": " "}, "", []string{"image is empty; use --image redis:7.2"}, 0},
		{"not a number", map[string]string{"replicas": "two"}, "", []string{`--replicas: replicas "two" is not a whole number`}, 0},
		{"bad name", map[string]string{"name": "My Lab"}, "", []string{`lab name "My Lab"`, "use --name my-lab"}, 1},
		{"bad subnet", map[string]string{"subnet": "10.0.0.0/16"}, "", []string{`subnet "10.0.0.0/16": the lab needs an IPv4 /24`}, 0},
		{"unknown key with suggestion", nil, "replica: 3\n",
			[]string{`sentinel-lab.yaml:1: unknown key "replica"; did you mean "replicas"?`}, 0},
		{"underscore key", nil, "down_after: 1000\n", []string{`did you mean "down-after"?`}, 0},
		{"file value not scalar", nil, "replicas: [1, 2]\n", []string{"sentinel-lab.yaml:1: replicas wants a single int value, found a list"}, 0},
		{"unknown addressing", map[string]string{"addressing": "dns"}, "",
			[]string{`addressing "dns" is not one of ip, hostnames, host; use --addressing ip`, "flag --addressing"}, 1},
		{"addressing from the file is checked too", nil, "addressing: hostname\n",
			[]string{`addressing "hostname" is not one of`, "sentinel-lab.yaml:1"}, 1},
		{"several at once", map[string]string{"replicas": "0", "sentinels": "0", "image": ""}, "",
			[]string{"replicas 0", "sentinels 0", "image is empty"}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var file []byte
			if tc.file != "" {
				file = []byte(tc.file)
			}
			_, err := load(t, Layers{Flags: tc.flags, File: file})
			var cerr *Error
			if !errors.As(err, &cerr) {
				t.Fatalf("got %v, want a configuration error", err)
			}
			if tc.n == 0 {
				tc.n = len(tc.want)
			}
			if len(cerr.Problems) != tc.n {
				t.Errorf("got %d problems, want %d:\n%v", len(cerr.Problems), tc.n, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %q:\n%v", w, err)
				}
			}
			if !cerr.IsUsage() {
				t.Error("configuration errors must be usage errors (exit 2)")
			}
		})
	}
}

func TestNameFromDir(t *testing.T) {
	for dir, want := range map[string]string{
		"/x/My Lab":       "my-lab",
		"/x/sentinel-lab": "sentinel-lab",
		"/x/___":          "sentinel-lab",
		"/x/Lab_2":        "lab_2",
	} {
		if got := NameFromDir(dir); got != want {
			t.Errorf("NameFromDir(%q) = %q, want %q", dir, got, want)
		}
	}
}

// Issue 17: a directory named "实验 lab" became lab "lab" silently, the
// name of every "<anything> lab" directory. Letters a lab name cannot hold
// are replaced by a hash, and config says so.
func TestNameFromANonASCIIDirectoryDoesNotClash(t *testing.T) {
	a, b, c := NameFromDir("/x/实验 lab"), NameFromDir("/x/测试 lab"), NameFromDir("/x/实验")
	for _, n := range []string{a, b, c} {
		if !validName.MatchString(n) {
			t.Errorf("%q is not a valid lab name", n)
		}
	}
	if a == "lab" || a == b || !strings.HasPrefix(a, "lab-") || !strings.HasPrefix(c, "sentinel-lab-") {
		t.Errorf("names %q, %q, %q: want distinct, hashed names", a, b, c)
	}
	cfg, err := load(t, Layers{Dir: "/x/实验 lab"})
	if err != nil {
		t.Fatal(err)
	}
	if src := cfg.Sources["name"].String(); cfg.Name != a || !strings.Contains(src, `"实验 lab"`) || !strings.Contains(src, "hash") {
		t.Errorf("name %q from %q, want the hash explained", cfg.Name, src)
	}
}

func TestSavedRoundTripKeepsEverythingButSecrets(t *testing.T) {
	c, err := load(t, Layers{Flags: map[string]string{"replicas": "4", "down-after": "1500"},
		Env: envOf(map[string]string{"SENTINEL_LAB_PASSWORD": "s3cret-pass"})})
	if err != nil {
		t.Fatal(err)
	}
	saved := c.Save()
	if _, ok := saved["password"]; ok {
		t.Error("the password must not be saved with the configuration")
	}
	back, err := FromSaved(saved)
	if err != nil {
		t.Fatal(err)
	}
	if back.Replicas != 4 || back.DownAfter != 1500*time.Millisecond || back.Quorum != c.Quorum || back.Name != c.Name {
		t.Errorf("round trip lost values: %+v", back)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// Host addressing hands out the bind address's names: a bind address this
// host does not have is refused, naming the fix; loopback and "every
// interface" need no look.
func TestHostAddressingRefusesABindAddressThisHostDoesNotHave(t *testing.T) {
	has := func(a netip.Addr) bool { return a == netip.MustParseAddr("192.168.1.5") }
	cases := []struct {
		flags map[string]string
		bad   bool
	}{
		{map[string]string{"addressing": "host", "bind": "10.9.9.9"}, true},
		{map[string]string{"addressing": "host", "bind": "192.168.1.5"}, false},
		{map[string]string{"addressing": "host", "bind": "0.0.0.0"}, false},
		{map[string]string{"addressing": "host"}, false},
		{map[string]string{"addressing": "ip", "bind": "10.9.9.9"}, false},
	}
	for _, tc := range cases {
		_, err := load(t, Layers{Flags: tc.flags, HostHasAddr: has})
		if tc.bad {
			if err == nil || !strings.Contains(err.Error(), "bind 10.9.9.9 is not an address of this host") ||
				!strings.Contains(err.Error(), "use --bind 127.0.0.1") {
				t.Errorf("%v: got %v, want the bind address refused with its fix", tc.flags, err)
			}
		} else if err != nil {
			t.Errorf("%v: %v", tc.flags, err)
		}
	}
}

func TestTimersKeyInEveryLayer(t *testing.T) {
	for _, tc := range []struct {
		name   string
		layers Layers
		want   timers.Mode
		source string
	}{
		{"file", Layers{File: []byte("timers: fast\n")}, timers.Fast, "sentinel-lab.yaml:1"},
		{"env", Layers{Env: envOf(map[string]string{"SENTINEL_LAB_TIMERS": "fast"})}, timers.Fast, "env SENTINEL_LAB_TIMERS"},
		{"flag over env", Layers{Env: envOf(map[string]string{"SENTINEL_LAB_TIMERS": "fast"}), Flags: map[string]string{"timers": "normal"}}, timers.Normal, "flag --timers"},
	} {
		c, err := load(t, tc.layers)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if c.Timers != tc.want || c.Sources["timers"].String() != tc.source {
			t.Errorf("%s: timers %q from %q, want %q from %q", tc.name, c.Timers, c.Sources["timers"], tc.want, tc.source)
		}
	}
	_, err := load(t, Layers{Flags: map[string]string{"timers": "quick"}})
	if err == nil || !strings.Contains(err.Error(), `"quick" is not normal or fast`) || !strings.Contains(err.Error(), "--timers fast") {
		t.Errorf("--timers quick: %v; want the value and the fix named", err)
	}
	// A lab saved before the key existed runs normal timers.
	saved := Saved{}
	c, _ := load(t, Layers{})
	for k, v := range c.Save() {
		if k != "timers" {
			saved[k] = v
		}
	}
	back, err := FromSaved(saved)
	if err != nil || back.Timers != timers.Normal {
		t.Errorf("FromSaved without timers: %v, %v; want normal", back, err)
	}
}
