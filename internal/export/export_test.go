package export

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMaskerReplacesEveryFormOfThePassword(t *testing.T) {
	pw := `p<a>s"s\w&rd`
	jsonDefault, _ := json.Marshal(map[string]string{"Env": "X=" + pw})
	in := strings.Join([]string{
		"requirepass " + pw,                     // as rendered
		`sentinel auth-pass m "p<a>s\"s\\w&rd"`, // as Redis's CONFIG REWRITE quotes it
		string(jsonDefault),                     // encoding/json escapes <, > and &
		`{"password":"p<a>s\"s\\w&rd"}`,         // JSON without HTML escaping
	}, "\n")
	got := string(NewMasker(pw).Mask([]byte(in)))
	for _, leak := range []string{pw, `p<a>s\"s\\w&rd`, `p\u003ca\u003es`, "w&rd", `w\u0026rd`} {
		if strings.Contains(got, leak) {
			t.Errorf("%q is still in:\n%s", leak, got)
		}
	}
	if strings.Count(got, Masked) != 4 {
		t.Errorf("want 4 masks:\n%s", got)
	}
}

func TestMaskerLeavesTextWithoutThePasswordAlone(t *testing.T) {
	in := []byte("role:master\r\nconnected_slaves:2\r\n")
	if got := NewMasker("0f3e9a").Mask(in); string(got) != string(in) {
		t.Errorf("Mask changed %q into %q", in, got)
	}
	if got := NewMasker("").Mask(in); string(got) != string(in) {
		t.Errorf("auth off: Mask changed %q into %q", in, got)
	}
}

func TestPairsKeepRedisOrder(t *testing.T) {
	reply := []any{"name", "redis-master", "ip", "172.28.5.10", "port", "6379", "num-slaves", "2"}
	b, err := json.Marshal(PairsFrom(reply))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"name":"redis-master","ip":"172.28.5.10","port":"6379","num-slaves":"2"}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
	list, _ := json.Marshal(PairsList([]any{[]any{"ip", "a"}, []any{"ip", "b"}}))
	if string(list) != `[{"ip":"a"},{"ip":"b"}]` {
		t.Errorf("PairsList: %s", list)
	}
	odd, _ := json.Marshal(PairsFrom("ERR No such master with that name"))
	if string(odd) != `{"reply":"ERR No such master with that name"}` {
		t.Errorf("not a field/value reply: %s", odd)
	}
}

func TestPrepareDirRefusesAFolderWithFiles(t *testing.T) {
	dir := t.TempDir()
	if err := prepareDir(dir); err != nil {
		t.Errorf("an empty folder: %v", err)
	}
	if err := prepareDir(filepath.Join(dir, "new", "deeper")); err != nil {
		t.Errorf("a new folder: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "keep.txt"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	err := prepareDir(dir)
	if _, ok := err.(*ExistsError); !ok || !strings.Contains(err.Error(), "already holds files") {
		t.Errorf("a folder with files: %v", err)
	}
}

func TestSummary(t *testing.T) {
	r := &Result{Files: make([]File, 40), Nodes: 3, NodesAnswered: 2, Sentinels: 3, SentinelsAnswered: 3, Containers: 6, Logs: 6, Failover: true, Problems: []string{"node-2 is down"}}
	want := "INFO of 2/3 data nodes, SENTINEL answers of 3/3 sentinels, 6 containers inspected, 6 logs, the last failover; 40 files; 1 thing could not be collected (errors.txt)"
	if got := r.Summary(); got != want {
		t.Errorf("Summary:\n got %s\nwant %s", got, want)
	}
}
