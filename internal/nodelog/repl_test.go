package nodelog

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every line of a real sync, on each server of the matrix, is read by
// ParseRepl; the golden files record what each line gave (kind, wording,
// detail, values) and the lines it did not read.
func TestParseReplGolden(t *testing.T) {
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
			for _, line := range strings.Split(strings.TrimSpace(string(text)), "\n") {
				r, ok := ParseRepl(line)
				if !ok {
					fmt.Fprintf(&b, "%-18s | %s\n", "-", Message(line))
					continue
				}
				fmt.Fprintf(&b, "%-18s %-7s %-20s %s | %s\n", r.Kind, orDash(r.Wording), orDash(r.Detail), strings.Join(r.Args, ","), Message(line))
			}
			golden := strings.TrimSuffix(path, ".log") + ".repl.golden"
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

// The values a reader ties together come out of the lines: the PSYNC
// request, the backlog sent, the replication IDs of a promotion.
func TestParseReplValues(t *testing.T) {
	for _, c := range []struct {
		line string
		kind SyncKind
		args string
	}{
		{"1:S 01 Dec 2026 20:38:17.368 * Trying a partial resynchronization (request 1519004bea7100315a4a3a61cb69be88b460cc47:312).", SyncPartialTried, "1519004bea7100315a4a3a61cb69be88b460cc47,312"},
		{"1:M 01 Dec 2026 20:38:17.369 * Partial resynchronization request from 172.29.50.11:6380 accepted. Sending 599 bytes of backlog starting from offset 312.", ServePartial, "599,312"},
		{"1:S 01 Dec 2026 20:38:14.405 * Full resync from master: 1519004bea7100315a4a3a61cb69be88b460cc47:0", SyncFull, "1519004bea7100315a4a3a61cb69be88b460cc47,0"},
		{"1:M 01 Dec 2026 20:38:16.505 # Setting secondary replication ID to aaa1, valid up to offset: 312. New replication ID is bbb2", ServeSecondaryID, "aaa1,312,bbb2"},
		{"28189:M 01 Dec 2026 20:30:24.268 * PRIMARY MODE enabled (user request from 'id=5 addr=127.0.0.1:51634')", SyncMasterMode, ""},
		{"28189:S 01 Dec 2026 20:30:24.274 * REPLICAOF 127.0.0.1:17901 enabled (user request from 'id=6')", SyncReplicaOf, ""},
	} {
		r, ok := ParseRepl(c.line)
		if !ok || r.Kind != c.kind || strings.Join(r.Args, ",") != c.args {
			t.Errorf("ParseRepl(%q) = %+v, %v; want %s with %q", c.line, r, ok, c.kind, c.args)
		}
	}
	if r, _ := ParseRepl("28189:S 01 Dec 2026 20:30:24.274 * REPLICAOF 127.0.0.1:17901 enabled (user request from 'id=6')"); r.Detail != "127.0.0.1:17901" {
		t.Errorf("REPLICAOF's detail is %q, want the address", r.Detail)
	}
}
