package lab

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sentinel-lab/sentinel-lab/internal/readiness"
)

// Trouble is what up does when the sentinels had trouble while the lab
// started (a stalled machine flagging nodes down, a failover tried).
type Trouble string

// The choices of up --trouble.
const (
	// TroubleWait waits until the sentinels can start a failover again,
	// saying why; a lab whose sentinels are not held back is up at once.
	TroubleWait Trouble = "wait"
	// TroubleFail fails up, for a CI job that wants a clean lab.
	TroubleFail Trouble = "fail"
	// TroubleReport says what happened and goes on.
	TroubleReport Trouble = "report"
)

// ParseTrouble accepts the --trouble values.
func ParseTrouble(s string) (Trouble, error) {
	switch t := Trouble(s); t {
	case TroubleWait, TroubleFail, TroubleReport:
		return t, nil
	}
	return "", fmt.Errorf("--trouble %q is not wait, fail or report; use --trouble wait", s)
}

// TroubleError is a start whose sentinels had trouble, under --trouble fail.
type TroubleError struct {
	Report    readiness.Report
	DownAfter time.Duration
}

func (e *TroubleError) Error() string {
	return "the sentinels had trouble while the lab started:\n  " + strings.Join(e.Report.Describe(e.DownAfter), "\n  ") +
		"\n(--trouble wait waits it out; --trouble report goes on)"
}

// checkTrouble reads what the sentinels logged since the start and acts
// on it as policy says; res keeps what was seen.
func (s *Session) checkTrouble(ctx context.Context, since time.Time, policy Trouble, res *UpResult) error {
	r, err := s.Readiness(ctx, since)
	if err != nil || !r.Troubled() {
		return nil // a log that cannot be read is no verdict on the lab
	}
	res.Trouble = &r
	switch policy {
	case TroubleFail:
		return &TroubleError{Report: r, DownAfter: s.Lab.Config.DownAfter}
	case TroubleReport:
		return nil
	}
	if r.HeldUntil.IsZero() {
		return nil
	}
	for _, line := range r.Describe(s.Lab.Config.DownAfter) {
		s.Progress.Printf("trouble: %s", line)
	}
	wait := r.HeldUntil.Sub(s.Now())
	s.Progress.Printf("waiting %s until the sentinels can fail over again (--trouble report does not wait)", wait.Round(100*time.Millisecond))
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-s.Time().After(wait):
	}
	res.TroubleWaited = wait
	return nil
}
