// Package progress prints what a long command is doing while it does it:
// one timestamped line per step, so a terminal, a pipe and a CI log all
// show the same story. With -o json the command passes Discard and prints
// only its result.
package progress

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Printer writes progress lines, each with the time since the command began.
type Printer struct {
	mu    sync.Mutex
	w     io.Writer
	start time.Time
}

// New returns a printer writing to w.
func New(w io.Writer) *Printer { return &Printer{w: w, start: time.Now()} }

// Discard prints nothing.
func Discard() *Printer { return New(io.Discard) }

// Printf writes one progress line.
func (p *Printer) Printf(format string, args ...any) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "[%6.2fs] %s\n", time.Since(p.start).Seconds(), fmt.Sprintf(format, args...))
}

// Writer is an io.Writer whose lines become progress lines, for tools that
// stream their own output (image pulls and builds).
func (p *Printer) Writer() io.Writer { return lineWriter{p} }

type lineWriter struct{ p *Printer }

func (l lineWriter) Write(b []byte) (int, error) {
	for _, line := range splitLines(string(b)) {
		l.p.Printf("  %s", line)
	}
	return len(b), nil
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}
