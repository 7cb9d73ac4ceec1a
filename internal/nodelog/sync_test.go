package nodelog

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// syncLine is what a reader of the logs would call a replication line:
// every such line of a real server must be read as a step, or the parser
// has missed a wording.
var syncLine = regexp.MustCompile(`(?i)<-> REPLICA sync|resync`)

// The golden files record every step read from the real logs; the diff of
// an -update is the review.
func TestParseSyncGolden(t *testing.T) {
	logs, _ := filepath.Glob("testdata/sync/*.log")
	if len(logs) != 8 {
		t.Fatalf("want the logs of 4 servers x 2 nodes, found %d files", len(logs))
	}
	for _, path := range logs {
		t.Run(filepath.Base(path), func(t *testing.T) {
			text, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, line := range strings.Split(string(text), "\n") {
				s, ok := ParseSync(line)
				if !ok {
					if syncLine.MatchString(line) {
						t.Errorf("a replication line not read as a step: %q", line)
					}
					continue
				}
				fmt.Fprintf(&b, "%-18s %-7s %-50s | %s\n", s.Kind, orDash(s.Wording), orDash(s.Detail), Message(line))
			}
			golden := strings.TrimSuffix(path, ".log") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/nodelog -update)", err)
			}
			if b.String() != string(want) {
				t.Errorf("%s differs; if intended, run go test ./internal/nodelog -update and review the diff\ngot:\n%s", golden, b.String())
			}
		})
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// kinds lists the steps read from a file, in order.
func kinds(t *testing.T, path string) ([]SyncKind, map[string]bool) {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []SyncKind
	words := map[string]bool{}
	for _, line := range strings.Split(string(text), "\n") {
		if s, ok := ParseSync(line); ok {
			out = append(out, s.Kind)
			if s.Wording != "" {
				words[s.Wording] = true
			}
		}
	}
	return out, words
}

// What happened in each capture, independent of the golden files: the
// replica synced in full, then partially after its restart; the old master
// came back to a full sync. Valkey 8 says "primary", the others "master".
func TestSyncStepsOfEachServer(t *testing.T) {
	for _, server := range []string{"redis-6.2.16", "redis-7.0.15", "redis-7.4.1", "valkey-8.0.1"} {
		word := "master"
		if strings.HasPrefix(server, "valkey-8") {
			word = "primary"
		}
		replica, words := kinds(t, "testdata/sync/"+server+".replica.log")
		if want := []SyncKind{SyncFull, SyncPartial}; !slices.Equal(resyncs(replica), want) {
			t.Errorf("%s replica: resyncs %v, want %v", server, resyncs(replica), want)
		}
		if !slices.Contains(replica, ServeFull) || !slices.Contains(replica, ServeDone) {
			t.Errorf("%s replica, promoted: did not serve the old master a full sync: %v", server, replica)
		}
		old, oldWords := kinds(t, "testdata/sync/"+server+".old-master.log")
		if want := []SyncKind{SyncFull}; !slices.Equal(resyncs(old), want) {
			t.Errorf("%s old master: resyncs %v, want %v", server, resyncs(old), want)
		}
		if !slices.Contains(old, ServePartial) || !slices.Contains(old, SyncPartialImpossible) {
			t.Errorf("%s old master: %v", server, old)
		}
		for w := range words {
			oldWords[w] = true
		}
		if len(oldWords) != 1 || !oldWords[word] {
			t.Errorf("%s: wording %v, want only %q", server, oldWords, word)
		}
	}
}

func resyncs(ks []SyncKind) []SyncKind {
	var out []SyncKind
	for _, k := range ks {
		if k == SyncFull || k == SyncPartial {
			out = append(out, k)
		}
	}
	return out
}

func TestLastResync(t *testing.T) {
	full := "1:S 01 Dec 2026 16:43:06.370 * Full resync from primary: a7912c17552522309f2545c4bb5dc0caaa169877:3168\n"
	partial := "1:S 01 Dec 2026 16:43:04.234 * Successful partial resynchronization with master.\n"
	other := "1:S 01 Dec 2026 16:43:04.233 * Ready to accept connections tcp\n"
	tests := []struct {
		text string
		want SyncKind
	}{
		{full, SyncFull},
		{partial, SyncPartial},
		{full + other + partial, SyncPartial},
		{partial + full, SyncFull},
		{other, ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := LastResync(tt.text); got != tt.want {
			t.Errorf("LastResync(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestParseSyncDetails(t *testing.T) {
	tests := []struct {
		line string
		want Sync
	}{
		{"1:S 01 Dec 2026 16:43:13.877 * Connecting to MASTER 172.28.5.11:6380", Sync{SyncConnecting, "172.28.5.11:6380", "master"}},
		{"1:S 01 Dec 2026 16:43:13.877 * PRIMARY <-> REPLICA sync started", Sync{SyncStarted, "", "primary"}},
		{"1:S 01 Dec 2026 16:43:11.764 * Trying a partial resynchronization (request e208016cac09ff1d975cd884b23102ca0decfb2b:1).", Sync{SyncPartialTried, "e208016cac09ff1d975cd884b23102ca0decfb2b:1", ""}},
		{"1:S 01 Dec 2026 16:43:11.764 * Primary <-> REPLICA sync: Primary accepted a Partial Resynchronization", Sync{SyncDone, "partial", "primary"}},
		{"1:M 01 Dec 2026 16:43:11.764 * Replica 172.28.5.12:6381 asks for synchronization", Sync{ServeAsked, "172.28.5.12:6381", ""}},
		{"1:S 01 Dec 2026 16:43:11.764 # Failed trying to load the MASTER synchronization DB from disk, check server logs.", Sync{SyncFailed, "", "master"}},
		// A message without its header reads the same.
		{"Full resync from master: 73242a05987c2e2b11bd35bf6b03cbac3a08002c:0", Sync{SyncFull, "73242a05987c2e2b11bd35bf6b03cbac3a08002c:0", "master"}},
	}
	for _, tt := range tests {
		got, ok := ParseSync(tt.line)
		if !ok || got != tt.want {
			t.Errorf("ParseSync(%q) = %+v, %v; want %+v", tt.line, got, ok, tt.want)
		}
	}
	for _, line := range []string{
		"1:S 01 Dec 2026 16:43:11.764 * Master replied to PING, replication can continue...",
		"1:X 01 Dec 2026 16:43:11.764 # +switch-master redis-master 172.28.5.10 6379 172.28.5.11 6380",
		"",
	} {
		if s, ok := ParseSync(line); ok {
			t.Errorf("ParseSync(%q) = %+v, want no step", line, s)
		}
	}
}

func TestMessage(t *testing.T) {
	for line, want := range map[string]string{
		"1:S 01 Dec 2026 16:43:11.764 * Master replied to PING": "Master replied to PING",
		"1:M 2026-11-24T13:57:19.749+01:00 # Ready":             "Ready",
		"1:signal-handler (1795529385) Received SIGTERM":        "Received SIGTERM",
		"=== REDIS BUG REPORT START ===":                        "=== REDIS BUG REPORT START ===",
	} {
		if got := Message(line); got != want {
			t.Errorf("Message(%q) = %q, want %q", line, got, want)
		}
	}
}
