package nodelog

import (
	"strconv"
	"strings"
	"time"
)

// NoteKind is what a line of a sentinel's log tells.
type NoteKind string

// The kinds of sentinel log lines the lab reads.
const (
	// NoteEvent is an event the sentinel also publishes ("+sdown master
	// redis-master 172.28.5.10 6379"): Event is its type, Detail the rest.
	NoteEvent NoteKind = "event"
	// NoteFailoverDelay is "Next failover delay: I will not start a
	// failover before <time>", logged only: after it voted for another
	// sentinel or tried itself, a sentinel starts no failover of that
	// master for 2 x failover-timeout. Until is that time.
	NoteFailoverDelay NoteKind = "failover-delay"
	// NoteVotedFor is "<voter id> voted for <leader id> <epoch>", logged
	// only, by a sentinel collecting the votes of its own attempt.
	NoteVotedFor NoteKind = "voted-for"
)

// SentinelNote is one line of a sentinel's log that says what it did.
type SentinelNote struct {
	Sentinel string
	Time     time.Time
	Kind     NoteKind
	// Event and Detail are the event's type and text (NoteEvent).
	Event, Detail string
	// Until is when the sentinel may start a failover again
	// (NoteFailoverDelay).
	Until time.Time
	// Voter and Leader are sentinel ids, Epoch the election's
	// (NoteVotedFor).
	Voter, Leader string
	Epoch         int64
	// Text is the line as logged.
	Text string
}

// ctimeLayout is how sentinel writes the time in "Next failover delay"
// (ctime(3)), in the container's local time, which the lab's images keep
// at UTC.
const ctimeLayout = "Mon Jan _2 15:04:05 2006"

const delayPrefix = "Next failover delay: I will not start a failover before "

// SentinelNotes reads what a sentinel's log lines tell, in order; lines
// that tell nothing the lab reads are left out.
func SentinelNotes(lines []Line) []SentinelNote {
	var out []SentinelNote
	for _, l := range lines {
		if n, ok := sentinelNote(l); ok {
			out = append(out, n)
		}
	}
	return out
}

func sentinelNote(l Line) (SentinelNote, bool) {
	msg, ok := message(l.Text)
	if !ok {
		return SentinelNote{}, false
	}
	n := SentinelNote{Sentinel: l.Service, Time: l.Time, Text: l.Text}
	if rest, ok := strings.CutPrefix(msg, delayPrefix); ok {
		until, err := time.Parse(ctimeLayout, strings.TrimSpace(rest))
		if err != nil {
			return SentinelNote{}, false
		}
		n.Kind, n.Until = NoteFailoverDelay, until
		return n, true
	}
	if f := strings.Fields(msg); len(f) == 5 && f[1] == "voted" && f[2] == "for" {
		epoch, err := strconv.ParseInt(f[4], 10, 64)
		if err != nil {
			return SentinelNote{}, false
		}
		n.Kind, n.Voter, n.Leader, n.Epoch = NoteVotedFor, f[0], f[3], epoch
		return n, true
	}
	if len(msg) > 1 && (msg[0] == '+' || msg[0] == '-') && msg[1] >= 'a' && msg[1] <= 'z' {
		n.Kind = NoteEvent
		n.Event, n.Detail, _ = strings.Cut(msg, " ")
		return n, true
	}
	return SentinelNote{}, false
}

// message is the text of a log line after "<pid>:<role> <time> <level> ".
func message(line string) (string, bool) {
	if _, ok := LineTime(line); !ok {
		return "", false
	}
	colon := strings.IndexByte(line, ':')
	rest := line[colon+3:]
	// The time is the legacy "02 Jan 2006 15:04:05.000" or one ISO field.
	if len(rest) > len(redisTimeLayout) && rest[2] == ' ' {
		rest = rest[len(redisTimeLayout):]
	} else if _, after, ok := strings.Cut(rest, " "); ok {
		rest = after
	}
	rest = strings.TrimLeft(rest, " ")
	// The level: one of . - * #
	if len(rest) < 2 || !strings.ContainsRune(".-*#", rune(rest[0])) || rest[1] != ' ' {
		return "", false
	}
	return rest[2:], true
}
