// Package lablock lets one command at a time change a lab: up, down,
// kill-master, fault, revive, soak and scenario each hold the lab's lock
// while they run, so two of them never fault two masters or revive a node
// in the middle of a failover. Commands that only read never take it.
//
// The lock is flock(2) on the lab directory itself: the kernel releases it
// when its process ends however it ends, so there is no stale lock to
// clean up, and taking it writes nothing. Who holds it (command, pid,
// since when) is noted in .sentinel-lab/lock.json once the lab has that
// folder, for the message a second command prints.
package lablock

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
)

// Holder is who holds a lab's lock.
type Holder struct {
	Command string    `json:"command"`
	PID     int       `json:"pid"`
	Since   time.Time `json:"since"`
}

// Lock is a held lab lock.
type Lock struct {
	dir  labdir.Dir
	f    *os.File
	note string
	// TookOver is the holder a previous command noted but never released:
	// its process ended without unlocking (killed, say).
	TookOver *Holder
}

// HeldError is a lock another command holds.
type HeldError struct {
	Dir string
	// Holder is who holds it, nil when it did not say.
	Holder *Holder
}

func (e *HeldError) Error() string {
	who := "another sentinel-lab command"
	if e.Holder != nil {
		who = fmt.Sprintf("`sentinel-lab %s` (pid %d, since %s)", e.Holder.Command, e.Holder.PID, e.Holder.Since.Format("15:04:05"))
	}
	return fmt.Sprintf("%s is changing the lab in %s; wait for it to finish, or pass --wait-lock to queue behind it", who, e.Dir)
}

// IsUsage marks the refusal as the user's to resolve.
func (e *HeldError) IsUsage() bool { return true }

// retry paces --wait-lock.
const retry = 100 * time.Millisecond

// Acquire takes the lock of dir for command. Without wait it fails at once
// with a HeldError when another command holds it; with wait it waits
// until the lock is free or ctx ends.
func Acquire(ctx context.Context, dir labdir.Dir, command string, wait bool) (*Lock, error) {
	f, err := os.Open(dir.Root)
	if err != nil {
		return nil, fmt.Errorf("locking the lab: %w", err)
	}
	for {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("locking the lab in %s: %w", dir.Root, err)
		}
		if ok {
			break
		}
		if !wait {
			f.Close()
			return nil, &HeldError{Dir: dir.Root, Holder: readHolder(dir)}
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(retry):
		}
	}
	l := &Lock{dir: dir, f: f}
	// A note left by a holder whose process is gone: it ended without
	// releasing (the kernel released the lock for it).
	if h := readHolder(dir); h != nil && h.PID != os.Getpid() {
		l.TookOver = h
	}
	l.write(command)
	return l, nil
}

// Release gives the lock up.
func (l *Lock) Release() {
	if l.note != "" {
		os.Remove(l.note)
	}
	unlock(l.f)
	l.f.Close()
}

func notePath(dir labdir.Dir) string { return dir.Path(labdir.StateDirName, "lock.json") }

// write notes the holder where the lab keeps its state, when it has that
// folder: a lock must never be what creates files in a directory.
func (l *Lock) write(command string) {
	if _, err := os.Stat(l.dir.StateDir()); err != nil {
		return
	}
	b, _ := json.Marshal(Holder{Command: command, PID: os.Getpid(), Since: time.Now()})
	if labdir.WriteFileAtomic(notePath(l.dir), b, 0o600) == nil {
		l.note = notePath(l.dir)
	}
}

func readHolder(dir labdir.Dir) *Holder {
	b, err := os.ReadFile(notePath(dir))
	if errors.Is(err, os.ErrNotExist) || err != nil {
		return nil
	}
	var h Holder
	if json.Unmarshal(b, &h) != nil || h.Command == "" {
		return nil
	}
	return &h
}
