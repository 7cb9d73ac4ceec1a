package image

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/sentinel-lab/sentinel-lab/internal/engine/enginetest"
)

func TestNetToolsNeedNftOnTheHost(t *testing.T) {
	eng := enginetest.New()
	none := Host{LookPath: func(string) (string, error) { return "", os.ErrNotExist }}
	_, err := EnsureNetTools(context.Background(), eng, none, nil)
	if err == nil || !strings.Contains(err.Error(), "need nft on this host") || !strings.Contains(err.Error(), "apt-get install nftables") {
		t.Errorf("got %v", err)
	}
	if calls := eng.CallsTo("BuildImage"); len(calls) != 0 {
		t.Errorf("built %v", calls)
	}
}

// The helper image is built once per set of binaries: its tag is their
// hash, and a second fault finds it.
func TestNetToolsAreBuiltOnce(t *testing.T) {
	eng := enginetest.New()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	host := Host{LookPath: func(name string) (string, error) {
		if strings.HasSuffix(name, "nft") {
			return self, nil
		}
		return "", os.ErrNotExist
	}}
	var tags []string
	for i := 0; i < 2; i++ {
		tag, err := EnsureNetTools(context.Background(), eng, host, nil)
		if err != nil {
			t.Fatal(err)
		}
		tags = append(tags, tag)
	}
	if tags[0] != tags[1] || !strings.HasPrefix(tags[0], NetToolsRepository+":") || !strings.HasSuffix(tags[0], "-local") {
		t.Errorf("tags %v", tags)
	}
	if calls := eng.CallsTo("BuildImage"); len(calls) != 1 {
		t.Errorf("builds %v", calls)
	}
}
