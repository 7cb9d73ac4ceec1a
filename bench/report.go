package main

import (
	"fmt"
	"io"
	"strings"
)

// Report is BENCHMARKS.md: what one invocation ran on, then one section per
// benchmark. Every ratio in it is against a baseline run in that same
// invocation, so the file is rewritten whole, never merged with older runs.
type Report struct {
	Header   Header
	Sections []Section
}

// Header says when, how and on what the numbers were taken.
type Header struct {
	Command string
	// Facts are shown as a two-column table, in order.
	Facts []Fact
	// Notes follow the facts, one paragraph each.
	Notes []string
}

// Fact is one line of the header table.
type Fact struct{ Key, Value string }

// Section is one benchmark.
type Section struct {
	Title string
	// Text are paragraphs saying what was measured and how.
	Text   []string
	Tables []Table
	// Results are the ratios the section reports, each with its target.
	Results []Result
	// Checks are values with targets in their own units, where a ratio
	// against a baseline does not fit.
	Checks []Check
	// Notes follow the results: what the numbers show.
	Notes []string
}

// Table is a Markdown table with an optional caption above it.
type Table struct {
	Caption string
	Columns []string
	Rows    [][]string
}

// Result is one median ratio against a baseline.
type Result struct {
	// What is being compared, e.g. "sentinel-lab / docker-compose".
	What string
	// Ratio is the median ratio; Pairs how many pairs it is the median of.
	Ratio float64
	Pairs int
	// Wanted is how many pairs were planned; fewer completed means the
	// target is not judged.
	Wanted int
	// Target is the largest ratio that meets the goal; 0 means none (the
	// result is shown for information).
	Target float64
}

// Verdict says whether the target was met, in words for the table.
func (r Result) Verdict() string {
	switch {
	case r.Target == 0:
		return "(no target)"
	case r.Pairs == 0:
		return "not judged: no run completed"
	case r.Pairs < r.Wanted:
		return fmt.Sprintf("not judged: only %d of %d pairs completed", r.Pairs, r.Wanted)
	case r.Ratio <= r.Target:
		return "**met**"
	default:
		return "**not met**"
	}
}

// Check is one measured value against a target stated in its own unit: a
// time against D plus an allowance, a count, a difference from a baseline.
type Check struct {
	What string
	// Value is what was measured, formatted for the table.
	Value string
	// Rounds is how many rounds Value is over; Wanted how many were
	// planned. Fewer means the target is not judged.
	Rounds, Wanted int
	// Target says the goal, formatted; "" means none (for information).
	Target string
	// Met says whether Value meets Target.
	Met bool
}

// Verdict says whether the target was met, in words for the table.
func (c Check) Verdict() string {
	switch {
	case c.Target == "":
		return "(no target)"
	case c.Rounds == 0:
		return "not judged: no round completed"
	case c.Rounds < c.Wanted:
		return fmt.Sprintf("not judged: only %d of %d rounds completed", c.Rounds, c.Wanted)
	case c.Met:
		return "**met**"
	default:
		return "**not met**"
	}
}

// WriteMarkdown writes the report.
func (r Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# Benchmarks\n\n")
	fmt.Fprintf(&b, "Written by `%s` (the program in `bench/`). One invocation: every baseline below ran in that same invocation, on the same machine, interleaved with or alongside what it is compared with; other times are given against the lab's down-after-milliseconds (D). Timing goals are measured here, never asserted in tests.\n\n", r.Header.Command)
	writeTable(&b, Table{Columns: []string{"run on", ""}, Rows: factRows(r.Header.Facts)})
	for _, n := range r.Header.Notes {
		b.WriteString(n + "\n\n")
	}
	for _, s := range r.Sections {
		fmt.Fprintf(&b, "## %s\n\n", s.Title)
		for _, p := range s.Text {
			b.WriteString(p + "\n\n")
		}
		if len(s.Results) > 0 {
			rows := make([][]string, 0, len(s.Results))
			for _, res := range s.Results {
				target := "-"
				if res.Target > 0 {
					target = fmt.Sprintf("≤ %.2f", res.Target)
				}
				ratio := "-"
				if res.Pairs > 0 {
					ratio = fmt.Sprintf("%.2f", res.Ratio)
				}
				rows = append(rows, []string{res.What, ratio, fmt.Sprintf("%d", res.Pairs), target, res.Verdict()})
			}
			writeTable(&b, Table{Columns: []string{"comparison", "median ratio", "pairs", "target", "target met"}, Rows: rows})
		}
		if len(s.Checks) > 0 {
			rows := make([][]string, 0, len(s.Checks))
			for _, c := range s.Checks {
				target := c.Target
				if target == "" {
					target = "-"
				}
				rows = append(rows, []string{c.What, c.Value, fmt.Sprintf("%d", c.Rounds), target, c.Verdict()})
			}
			writeTable(&b, Table{Columns: []string{"measure", "value", "rounds", "target", "target met"}, Rows: rows})
		}
		for _, n := range s.Notes {
			b.WriteString(n + "\n\n")
		}
		for _, t := range s.Tables {
			writeTable(&b, t)
		}
	}
	_, err := io.WriteString(w, strings.TrimRight(b.String(), "\n")+"\n")
	return err
}

func factRows(facts []Fact) [][]string {
	rows := make([][]string, 0, len(facts))
	for _, f := range facts {
		rows = append(rows, []string{f.Key, f.Value})
	}
	return rows
}

func writeTable(b *strings.Builder, t Table) {
	if t.Caption != "" {
		b.WriteString(t.Caption + "\n\n")
	}
	b.WriteString("| " + strings.Join(escapeCells(t.Columns), " | ") + " |\n")
	b.WriteString("|" + strings.Repeat("---|", len(t.Columns)) + "\n")
	for _, row := range t.Rows {
		b.WriteString("| " + strings.Join(escapeCells(row), " | ") + " |\n")
	}
	b.WriteString("\n")
}

// escapeCells keeps a cell on one line and its pipes out of the table's.
func escapeCells(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		c = strings.ReplaceAll(c, "|", `\|`)
		out[i] = strings.Join(strings.Fields(c), " ")
	}
	return out
}
