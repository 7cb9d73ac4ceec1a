package present

import (
	"fmt"
	"strings"

	"github.com/sentinel-lab/sentinel-lab/internal/failover"
)

// Interesting tells the events a failover timeline shows; chatter such as
// +slave re-announcements after the switch is kept in JSON only.
func Interesting(typ string) bool {
	switch typ {
	case "+slave", "+sentinel", "+reboot", "+monitor", "+fix-slave-config":
		return false
	}
	return true
}

// Annotate fills in each event's explanation, in lang, as the report's JSON
// and text carry it.
func Annotate(r *failover.Report, lang Lang) {
	names := r.Names()
	for i := range r.Events {
		r.Events[i].Explanation = Explain(r.Events[i], names, lang)
	}
}

// Explain says what an event means, naming nodes by service, in lang.
func Explain(e failover.Event, names failover.Names, lang Lang) string {
	f := strings.Fields(e.Detail)
	inst, hasInst := failover.ParseInstance(e.Detail)
	subject := ""
	if hasInst {
		subject = names.Addr(inst.Addr)
		if inst.Kind == "sentinel" {
			subject = names.ID(inst.Name)
		}
	}
	key, args := e.Type, []any{subject}
	switch e.Type {
	case "+sdown":
		key = "+sdown " + inst.Kind
	case "-sdown", "-odown", "+try-failover", "+elected-leader", "+failover-end",
		"+selected-slave", "+failover-state-send-slaveof-noone", "+failover-state-wait-promotion",
		"+promoted-slave", "+slave-reconf-sent", "+slave-reconf-inprog", "+slave-reconf-done",
		"+convert-to-slave", "+slave", "+sentinel", "+reboot", "+fix-slave-config", "+monitor":
	case "-role-change", "+role-change":
		role := "?"
		if i := strings.Index(e.Detail, "new reported role is "); i >= 0 {
			role = strings.TrimSpace(e.Detail[i+len("new reported role is "):])
		}
		args = []any{subject, role}
	case "+odown":
		quorum := ""
		for _, w := range f {
			if strings.HasPrefix(w, "#quorum") {
				continue
			}
			if strings.Contains(w, "/") {
				quorum = w
			}
		}
		args = []any{subject, quorum}
	case "+new-epoch":
		args = []any{strings.Join(f, " ")}
	case "+vote-for-leader":
		if len(f) < 2 {
			return ""
		}
		args = []any{names.ID(f[0]), f[1]}
	case "+switch-master":
		if len(f) < 5 {
			return ""
		}
		from, to := names.Addr(f[1]+":"+f[2]), names.Addr(f[3]+":"+f[4])
		args = []any{from, to, to}
	case "+config-update-from":
		if len(f) < 2 {
			return ""
		}
		args = []any{names.ID(f[1])}
	default:
		args = nil
	}
	p, ok := texts["event "+key]
	if !ok {
		return ""
	}
	text := p.en
	if lang == Chinese {
		text = p.zh
	}
	if n := strings.Count(text, "%s"); n < len(args) {
		args = args[:n]
	}
	return fmt.Sprintf(text, args...)
}
