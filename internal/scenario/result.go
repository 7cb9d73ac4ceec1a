package scenario

import (
	"sort"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
)

// Verdicts.
const (
	Pass = "pass"
	Fail = "fail"
)

// Result is one run of a scenario, judged. Expected, Observed and the
// findings' and timeline's texts are in words the presentation fills in,
// in the language asked for.
type Result struct {
	Name     string `json:"name"`
	Verdict  string `json:"verdict"`
	Expected string `json:"expected"`
	Observed string `json:"observed"`
	// Reasons are every check's finding, in order.
	Reasons []Finding `json:"reasons"`
	Lab     string    `json:"lab"`
	// OwnLab: the lab was made for this run and removed after it.
	OwnLab            bool      `json:"own_lab"`
	DownAfterMS       int64     `json:"down_after_ms"`
	FailoverTimeoutMS int64     `json:"failover_timeout_ms"`
	StartedAt         time.Time `json:"started_at"`
	TookMS            int64     `json:"took_ms"`
	// Timeline is what the scenario did and what the sentinels published,
	// in time order, from the trigger.
	Timeline []Entry `json:"timeline"`
	// Report is the failover (or what the sentinels did instead) as a
	// failover report, for the HTML page.
	Report *failover.Report `json:"failover,omitempty"`
	// Error is a run that could not be judged: the lab could not be made
	// or looked at. Its verdict is fail.
	Error string `json:"error,omitempty"`
}

// Entry is one line of the timeline.
type Entry struct {
	AtMS int64 `json:"at_ms"`
	// Source is "sentinel-lab" for the scenario's own steps, else the
	// sentinel that published the event.
	Source string `json:"source"`
	// What is the step or the event type; Detail the nodes or the
	// event's message.
	What        string `json:"what"`
	Detail      string `json:"detail,omitempty"`
	Explanation string `json:"explanation,omitempty"`
}

// SourceLab marks the scenario's own steps in the timeline.
const SourceLab = "sentinel-lab"

// Judge runs every check of sc on o.
func Judge(sc *Scenario, o *Observation, l *lab.Lab) *Result {
	r := &Result{Name: sc.Name, Verdict: Pass, Lab: l.Config.Name,
		DownAfterMS: o.Timers.DownAfter.Milliseconds(), FailoverTimeoutMS: o.Timers.FailoverTimeout.Milliseconds()}
	for _, c := range sc.Checks {
		f := c(o)
		if !f.OK {
			r.Verdict = Fail
		}
		r.Reasons = append(r.Reasons, f)
	}
	r.Report = o.Failover
	if r.Report == nil && o.NoFailover != nil {
		r.Report = o.NoFailover.Report(l, o.Label)
	}
	r.Timeline = timeline(o)
	return r
}

// Failed is the result of a run that could not be judged.
func Failed(name string, err error) *Result {
	return &Result{Name: name, Verdict: Fail, Error: err.Error(), Reasons: []Finding{}, Timeline: []Entry{}}
}

// timeline merges the scenario's steps and the sentinels' events.
func timeline(o *Observation) []Entry {
	var out []Entry
	for _, d := range o.Steps {
		detail := ""
		for i, s := range d.Services {
			if i > 0 {
				detail += ", "
			}
			detail += s
		}
		if d.Trigger != "" {
			detail += " (on " + d.Trigger + ")"
		}
		if d.Error != "" {
			detail += ": " + d.Error
		}
		out = append(out, Entry{AtMS: d.AtMS, Source: SourceLab, What: d.What, Detail: detail})
	}
	for _, e := range o.Events {
		if e.AtMS >= 0 {
			out = append(out, Entry{AtMS: e.AtMS, Source: e.Sentinel, What: e.Type, Detail: e.Detail, Explanation: e.Explanation})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].AtMS < out[j].AtMS })
	return out
}
