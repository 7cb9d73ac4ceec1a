package timers

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// Do sends one command to the sentinel named service and returns its reply
// (probe.Nodes.Do for one sentinel). The package takes a function rather
// than the lab's types so config can use its modes without a cycle.
type Do func(ctx context.Context, service string, args ...any) (any, error)

// State is what one sentinel runs, as Ensure or Read found it.
type State struct {
	Service string `json:"service"`
	// Runs is the mode its periods are: normal, fast or custom; "" when it
	// did not answer or has no SENTINEL DEBUG.
	Runs Mode `json:"runs,omitempty"`
	// Set: Ensure found other periods and set the wanted ones.
	Set bool `json:"set,omitempty"`
	// Was is what it ran before Ensure set them.
	Was Mode `json:"was,omitempty"`
	// Unsupported: the server has no SENTINEL DEBUG (Redis 6.2).
	Unsupported bool   `json:"unsupported,omitempty"`
	Error       string `json:"error,omitempty"`
}

// Report is every sentinel's State, in the lab's order.
type Report struct {
	Want      Mode    `json:"want"`
	Sentinels []State `json:"sentinels"`
}

// Wrong lists the sentinels that answer but do not run the wanted mode,
// "sentinel-2 (normal)".
func (r Report) Wrong() []string {
	var out []string
	for _, s := range r.Sentinels {
		if s.Error != "" || (s.Unsupported && r.Want == Normal) {
			continue
		}
		if s.Runs != r.Want {
			out = append(out, fmt.Sprintf("%s (%s)", s.Service, orUnknown(s.Runs, s.Unsupported)))
		}
	}
	return out
}

// Unanswered lists the sentinels Ensure could not ask.
func (r Report) Unanswered() []string {
	var out []string
	for _, s := range r.Sentinels {
		if s.Error != "" {
			out = append(out, s.Service)
		}
	}
	return out
}

// Fixed lists the sentinels Ensure set, "sentinel-2 (was normal)".
func (r Report) Fixed() []string {
	var out []string
	for _, s := range r.Sentinels {
		if s.Set {
			out = append(out, fmt.Sprintf("%s (was %s)", s.Service, s.Was))
		}
	}
	return out
}

func orUnknown(m Mode, unsupported bool) string {
	if unsupported {
		return "no SENTINEL DEBUG"
	}
	if m == "" {
		return "unknown"
	}
	return string(m)
}

// Read asks every sentinel which periods it runs, changing nothing.
func Read(ctx context.Context, do Do, sentinels []string, want Mode) Report {
	return each(ctx, do, sentinels, want, false)
}

// Ensure asks every sentinel which periods it runs and sets want's on
// those that run others (a sentinel that restarted lost them). A sentinel
// that does not answer is reported, not waited for: the next Ensure sets
// it. With want normal, a server without SENTINEL DEBUG runs normal
// periods anyway.
func Ensure(ctx context.Context, do Do, sentinels []string, want Mode) Report {
	return each(ctx, do, sentinels, want, true)
}

func each(ctx context.Context, do Do, sentinels []string, want Mode, set bool) Report {
	r := Report{Want: want, Sentinels: make([]State, len(sentinels))}
	var wg sync.WaitGroup
	for i, n := range sentinels {
		wg.Go(func() { r.Sentinels[i] = one(ctx, do, n, want, set) })
	}
	wg.Wait()
	return r
}

func one(ctx context.Context, do Do, service string, want Mode, set bool) State {
	st := State{Service: service}
	reply, err := do(ctx, service, "SENTINEL", "DEBUG")
	if Unsupported(err) {
		st.Unsupported = true
		if want == Normal {
			st.Runs = Normal
		}
		return st
	}
	if err != nil {
		st.Error = err.Error()
		return st
	}
	v, err := ParseReply(reply)
	if err != nil {
		st.Error = err.Error()
		return st
	}
	st.Runs = v.Mode()
	differ := v.Differ(want)
	if !set || len(differ) == 0 {
		return st
	}
	if _, err := do(ctx, service, Command(differ)...); err != nil {
		st.Error = fmt.Sprintf("setting %s: %v", optionNames(differ), err)
		return st
	}
	st.Set, st.Was, st.Runs = true, st.Runs, want
	return st
}

func optionNames(ss []Setting) string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = s.Option
	}
	return strings.Join(names, ", ")
}
