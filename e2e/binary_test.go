package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// binary builds the sentinel-lab binary once per test run, for the tests
// that need a real process: signals, another user.
func binary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sentinel-lab-e2e-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "sentinel-lab")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/sentinel-lab")
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = err
			t.Logf("go build: %s", out)
		}
		// Readable and runnable by any user, for the unprivileged tests.
		os.Chmod(dir, 0o755)
	})
	if binErr != nil {
		t.Fatalf("building sentinel-lab: %v", binErr)
	}
	return binPath
}
