// Package nodelog reads the logs of a lab's nodes: the log file each Redis
// and Sentinel writes (/logs/redis.log, /logs/sentinel.log) and the
// container's own output, which holds only start-up errors. It parses the
// time of every line so the logs of several nodes interleave by time, filters
// them by time or count, and follows them as they grow.
package nodelog

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Line is one line of a node's log.
type Line struct {
	Service string
	// Time is when the line was written; a line that carries no time (a
	// continuation, such as the lines of a crash report) has the time of
	// the line before it.
	Time time.Time
	Text string
	// Output marks a line the container printed to stdout or stderr rather
	// than one of its log file.
	Output bool
}

// redisTimeLayout is Redis's and Valkey's default ("legacy") log time:
// "1:M 24 Nov 2026 13:57:19.749 * Ready to accept connections".
const redisTimeLayout = "02 Jan 2006 15:04:05.000"

// isoTimeLayout is Valkey's `log-timestamp-format iso8601`.
const isoTimeLayout = "2006-01-02T15:04:05.000Z07:00"

// signalPrefix starts what Redis logs from a signal handler, with the time
// in Unix seconds: "1:signal-handler (1795529385) Received SIGTERM ...".
const signalPrefix = ":signal-handler ("

// LineTime reads the time of a Redis log line,
// "<pid>:<role> <time> <level> <message>", where role is X (sentinel),
// M (master), S (replica) or C (child process). Redis writes its local time
// without a zone; the lab's images set no TZ, so it is read as UTC.
func LineTime(line string) (time.Time, bool) {
	t, _, ok := splitHeader(line)
	return t, ok
}

// Message is the text of a log line after its header (pid, role, time and
// level): "MASTER <-> REPLICA sync started". A line without a header, such
// as a continuation, is its own message.
func Message(line string) string {
	if _, msg, ok := splitHeader(line); ok {
		return msg
	}
	return line
}

// splitHeader reads the time of a log line and the message after its
// header.
func splitHeader(line string) (time.Time, string, bool) {
	colon := strings.IndexByte(line, ':')
	if colon < 1 || !allDigits(line[:colon]) {
		return time.Time{}, "", false
	}
	if rest, ok := strings.CutPrefix(line[colon:], signalPrefix); ok {
		secs, msg, _ := strings.Cut(rest, ")")
		if n, err := strconv.ParseInt(secs, 10, 64); err == nil {
			return time.Unix(n, 0).UTC(), strings.TrimSpace(msg), true
		}
		return time.Time{}, "", false
	}
	if len(line) < colon+3 || line[colon+2] != ' ' {
		return time.Time{}, "", false
	}
	if !strings.ContainsRune("XMSC", rune(line[colon+1])) {
		return time.Time{}, "", false
	}
	rest := line[colon+3:]
	if len(rest) >= len(redisTimeLayout) {
		if t, err := time.Parse(redisTimeLayout, rest[:len(redisTimeLayout)]); err == nil {
			return t, afterLevel(rest[len(redisTimeLayout):]), true
		}
	}
	if field, after, _ := strings.Cut(rest, " "); len(field) > 10 && field[4] == '-' {
		if t, err := time.Parse(isoTimeLayout, field); err == nil {
			return t.UTC(), afterLevel(" " + after), true
		}
	}
	return time.Time{}, "", false
}

// afterLevel drops the level mark (". - * #") that follows the time.
func afterLevel(s string) string {
	if len(s) >= 3 && s[0] == ' ' && strings.ContainsRune(".-*#", rune(s[1])) && s[2] == ' ' {
		return s[3:]
	}
	return strings.TrimSpace(s)
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// Parse splits a log file's text into lines of service. Lines without a
// time of their own take the time of the line before, or prev for the
// first ones. It returns the time of the last line, to carry into the next
// chunk of the same file.
func Parse(service, text string, prev time.Time) ([]Line, time.Time) {
	var out []Line
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		s := strings.TrimSuffix(sc.Text(), "\r")
		if t, ok := LineTime(s); ok {
			prev = t
		}
		out = append(out, Line{Service: service, Time: prev, Text: s})
	}
	return out, prev
}

// Merge interleaves several services' lines by time. Each list is in the
// order its node wrote it and keeps that order; lines with the same time
// come in the order of the lists.
func Merge(lists ...[]Line) []Line {
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	out := make([]Line, 0, n)
	next := make([]int, len(lists))
	for len(out) < n {
		best := -1
		for i, l := range lists {
			if next[i] == len(l) {
				continue
			}
			if best < 0 || l[next[i]].Time.Before(lists[best][next[best]].Time) {
				best = i
			}
		}
		out = append(out, lists[best][next[best]])
		next[best]++
	}
	return out
}

// Since keeps the lines written at or after t; a zero t keeps them all.
func Since(lines []Line, t time.Time) []Line {
	if t.IsZero() {
		return lines
	}
	var out []Line
	for _, l := range lines {
		if !l.Time.Before(t) {
			out = append(out, l)
		}
	}
	return out
}

// Tail keeps the last n lines; a negative n keeps them all.
func Tail(lines []Line, n int) []Line {
	if n < 0 || n >= len(lines) {
		return lines
	}
	return lines[len(lines)-n:]
}

// ParseSince reads --since: a duration before now ("10m", "1h30m") or a
// time (RFC 3339, "2026-11-24T13:57:00Z").
func ParseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return time.Time{}, fmt.Errorf("--since %s is negative; give how long ago, such as 10m", s)
		}
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--since %q is neither a duration (10m, 1h) nor a time (2026-11-24T13:57:00Z)", s)
}

// Printer writes lines with the service in front, aligned the way
// `docker compose logs` aligns them.
type Printer struct {
	W io.Writer
	// Width is the width of the service column.
	Width int
}

// NewPrinter aligns the service column for services.
func NewPrinter(w io.Writer, services []string) *Printer {
	p := &Printer{W: w}
	for _, s := range services {
		p.Width = max(p.Width, len(s))
	}
	return p
}

// Print writes lines.
func (p *Printer) Print(lines []Line) error {
	bw := bufio.NewWriter(p.W)
	for _, l := range lines {
		text := l.Text
		if l.Output {
			text = strings.TrimSpace("(container output) " + text)
		}
		fmt.Fprintf(bw, "%-*s | %s\n", p.Width, l.Service, text)
	}
	return bw.Flush()
}
