package lablock

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
)

func newDir(t *testing.T, withState bool) labdir.Dir {
	t.Helper()
	d := labdir.Dir{Root: t.TempDir()}
	if withState {
		if err := os.Mkdir(d.StateDir(), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// flock locks are per open file: a second Acquire in this process contends
// like a second process would.
func TestSecondCommandIsRefusedNamingTheHolder(t *testing.T) {
	dir := newDir(t, true)
	first, err := Acquire(context.Background(), dir, "kill-master", false)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(context.Background(), dir, "revive", false)
	var held *HeldError
	if !errors.As(err, &held) || held.Holder == nil || held.Holder.Command != "kill-master" || held.Holder.PID != os.Getpid() {
		t.Fatalf("got %v, want the lock held by kill-master", err)
	}
	for _, want := range []string{"`sentinel-lab kill-master` (pid ", "--wait-lock"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
	first.Release()
	second, err := Acquire(context.Background(), dir, "revive", false)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	if second.TookOver != nil {
		t.Errorf("a released lock was taken over from %+v", second.TookOver)
	}
	second.Release()
	if _, err := os.Stat(notePath(dir)); !os.IsNotExist(err) {
		t.Errorf("the holder note outlives the lock: %v", err)
	}
}

func TestWaitLockQueuesBehindTheHolder(t *testing.T) {
	dir := newDir(t, true)
	first, err := Acquire(context.Background(), dir, "soak", false)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		l, err := Acquire(context.Background(), dir, "revive", true)
		if err == nil {
			l.Release()
		}
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("--wait-lock returned %v while the lock was held", err)
	case <-time.After(3 * retry):
	}
	first.Release()
	if err := <-got; err != nil {
		t.Errorf("queued command: %v", err)
	}

	first, _ = Acquire(context.Background(), dir, "soak", false)
	defer first.Release()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Acquire(ctx, dir, "revive", true); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled wait: %v", err)
	}
}

// A command killed while holding the lock leaves its note; the kernel
// released the lock itself, and the next command says it took over.
func TestLockOfADeadProcessIsTakenOver(t *testing.T) {
	dir := newDir(t, true)
	cmd := exec.Command("sleep", "0")
	if err := cmd.Run(); err != nil {
		t.Skip("no sleep binary:", err)
	}
	b, _ := json.Marshal(Holder{Command: "up", PID: cmd.Process.Pid, Since: time.Now()})
	if err := os.WriteFile(notePath(dir), b, 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := Acquire(context.Background(), dir, "up", false)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if l.TookOver == nil || l.TookOver.PID != cmd.Process.Pid {
		t.Errorf("took over %+v, want the dead up's note", l.TookOver)
	}
}

// A directory without a lab's state folder is locked without writing a
// thing into it.
func TestLockingWritesNothingWhereNoLabIs(t *testing.T) {
	dir := newDir(t, false)
	l, err := Acquire(context.Background(), dir, "up", false)
	if err != nil {
		t.Fatal(err)
	}
	if list, _ := os.ReadDir(dir.Root); len(list) > 0 {
		t.Errorf("locking wrote %v", list)
	}
	_, err = Acquire(context.Background(), dir, "down", false)
	var held *HeldError
	if !errors.As(err, &held) || held.Holder != nil || !strings.Contains(err.Error(), "another sentinel-lab command is changing the lab in "+filepath.Clean(dir.Root)) {
		t.Errorf("got %v", err)
	}
	l.Release()
}
