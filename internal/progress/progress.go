// Package progress prints what a long command is doing while it does it.
// On a terminal, each node has a line updated in place and messages scroll
// above them; in a pipe, a CI log (CI=true) or a file, every step is a
// plain line with the time since the command began. With -o json commands
// pass Discard and print only their result.
package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Printer writes progress.
type Printer struct {
	mu    sync.Mutex
	w     io.Writer
	start time.Time
	live  bool

	// nodes is the live block: one line per node, in first-seen order.
	nodes  []string
	states map[string]string
	drawn  int // lines of the block on screen
}

// New returns a printer of plain timestamped lines.
func New(w io.Writer) *Printer { return &Printer{w: w, start: time.Now(), states: map[string]string{}} }

// NewLive returns a printer that keeps one line per node up to date in
// place; w must be a terminal.
func NewLive(w io.Writer) *Printer {
	p := New(w)
	p.live = true
	return p
}

// Discard prints nothing.
func Discard() *Printer { return New(io.Discard) }

func (p *Printer) stamp() string { return fmt.Sprintf("[%6.2fs]", time.Since(p.start).Seconds()) }

// Printf writes one message line.
func (p *Printer) Printf(format string, args ...any) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	msg := fmt.Sprintf(format, args...)
	if !p.live {
		fmt.Fprintf(p.w, "%s %s\n", p.stamp(), msg)
		return
	}
	p.erase()
	fmt.Fprintf(p.w, "%s %s\n", p.stamp(), msg)
	p.draw()
}

// Node sets what one node is doing now: a line of its own on a terminal,
// a timestamped "node: state" line elsewhere.
func (p *Printer) Node(service, state string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.live {
		fmt.Fprintf(p.w, "%s %s: %s\n", p.stamp(), service, state)
		return
	}
	if _, ok := p.states[service]; !ok {
		p.nodes = append(p.nodes, service)
	}
	p.states[service] = state
	p.erase()
	p.draw()
}

// Done ends the live block, leaving the nodes' last states on screen.
func (p *Printer) Done() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.drawn = 0
	p.nodes, p.states = nil, map[string]string{}
}

// erase moves up over the live block and clears it.
func (p *Printer) erase() {
	for ; p.drawn > 0; p.drawn-- {
		fmt.Fprint(p.w, "\x1b[1A\x1b[2K")
	}
}

func (p *Printer) draw() {
	width := 0
	for _, n := range p.nodes {
		width = max(width, len(n))
	}
	for _, n := range p.nodes {
		fmt.Fprintf(p.w, " %s %-*s  %s\n", mark(p.states[n]), width, n, p.states[n])
	}
	p.drawn = len(p.nodes)
}

func mark(state string) string {
	switch {
	case strings.HasPrefix(state, "healthy"), strings.HasPrefix(state, "running"), strings.HasPrefix(state, "removed"):
		return "✔"
	case strings.HasPrefix(state, "failed"):
		return "✘"
	}
	return "…"
}

// Writer is an io.Writer whose lines become message lines, for tools that
// stream their own output (image pulls and builds).
func (p *Printer) Writer() io.Writer { return lineWriter{p} }

type lineWriter struct{ p *Printer }

func (l lineWriter) Write(b []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		if strings.TrimSpace(line) != "" {
			l.p.Printf("  %s", line)
		}
	}
	return len(b), nil
}
