package soak

import "github.com/sentinel-lab/sentinel-lab/internal/scenario"

// ScenarioSummary is a soak of one scenario: a verdict per round.
type ScenarioSummary struct {
	Scenario string             `json:"scenario"`
	Rounds   int                `json:"rounds"`
	Passed   int                `json:"passed"`
	Results  []*scenario.Result `json:"results"`
}

// Add counts one round; Rounds is how many were asked for, Results those
// that ran.
func (s *ScenarioSummary) Add(r *scenario.Result) {
	s.Results = append(s.Results, r)
	if r.Verdict == scenario.Pass {
		s.Passed++
	}
}
