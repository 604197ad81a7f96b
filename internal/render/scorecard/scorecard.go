// Package scorecard says how much of the checklist a report proved: items passed, failed, not
// applicable, not evaluated (and which input would evaluate them), manual and attested, over
// all and per section. Every human format shows it; it reads the report and decides nothing.
package scorecard

import (
	"fmt"
	"strings"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/report"
)

// Card is the scorecard of one report.
type Card struct {
	// Total is the number of checklist items.
	Total int
	// Counts are the items by status.
	Counts map[string]int
	// Decided counts the items the scan settled: pass, fail, not applicable and attested.
	Decided int
	// Score is the report's checklist score (nil when no item could be evaluated).
	Score    *float64
	Sections []Section
	// Missing groups the not-evaluated items that have checks by what would evaluate them.
	Missing []Gap
	// Uncovered are the not-evaluated items that no check of this version covers.
	Uncovered []report.Item
	// Manual are the items a person must look at.
	Manual []report.Item
	// Findings counts the findings by severity, most severe first.
	Findings []SeverityCount
}

// Section is the part of the scorecard for one checklist section.
type Section struct {
	ID     string
	Title  string
	Items  []report.Item
	Counts map[string]int
	// Score is computed like the report's score, over the section's items.
	Score    *float64
	Findings int
}

// Gap is a group of not-evaluated items with the same reason.
type Gap struct {
	Reason string
	Items  []report.Item
}

// SeverityCount is the number of findings of one severity.
type SeverityCount struct {
	Severity check.Severity
	Count    int
}

// Build makes the scorecard of a report.
func Build(rep *report.Report, cat *catalog.Catalog) *Card {
	c := &Card{Total: len(rep.Items), Counts: map[string]int{}, Score: rep.Summary.Score}
	for _, it := range rep.Items {
		c.Counts[it.Status]++
	}
	c.Decided = c.Counts[report.StatusPass] + c.Counts[report.StatusFail] + c.Counts[report.StatusNotApplicable] + c.Counts[report.StatusAttested]

	worst := rep.WorstByItem()
	findingsBySection := map[string]int{}
	for _, f := range rep.Findings {
		findingsBySection[cat.ItemSection(f.Item)]++
	}

	bySection := map[string][]report.Item{}
	gaps := map[string]int{}
	for _, it := range rep.Items {
		bySection[it.Section] = append(bySection[it.Section], it)
		switch it.Status {
		case report.StatusNotEvaluated:
			if len(it.Checks) == 0 {
				c.Uncovered = append(c.Uncovered, it)
				continue
			}
			reason := it.Reason
			if reason == "" {
				reason = "no input that could prove it was given"
			}
			i, ok := gaps[reason]
			if !ok {
				i = len(c.Missing)
				gaps[reason] = i
				c.Missing = append(c.Missing, Gap{Reason: reason})
			}
			c.Missing[i].Items = append(c.Missing[i].Items, it)
		case report.StatusManual:
			c.Manual = append(c.Manual, it)
		}
	}
	for _, sec := range cat.Sections {
		items := bySection[sec.ID]
		if len(items) == 0 {
			continue
		}
		s := Section{ID: sec.ID, Title: sec.Title, Items: items, Counts: map[string]int{}, Findings: findingsBySection[sec.ID]}
		for _, it := range items {
			s.Counts[it.Status]++
		}
		s.Score = report.Score(items, worst)
		c.Sections = append(c.Sections, s)
	}
	for _, sev := range check.Severities() {
		c.Findings = append(c.Findings, SeverityCount{Severity: sev, Count: rep.Summary.Findings[sev.String()]})
	}
	return c
}

// Label is how people read a status ("not evaluated" for "not-evaluated").
func Label(status string) string {
	switch status {
	case report.StatusNotApplicable:
		return "not applicable"
	case report.StatusNotEvaluated:
		return "not evaluated"
	}
	return status
}

// Headline is the one-sentence summary of the scorecard.
func (c *Card) Headline() string {
	return fmt.Sprintf("The scan settled %d of %d checklist items (%s): %d passed, %d failed, %d not applicable, %d attested; "+
		"%d not evaluated for lack of input, %d not covered by a check of this version, %d manual.",
		c.Decided, c.Total, percent(c.Decided, c.Total),
		c.Counts[report.StatusPass], c.Counts[report.StatusFail], c.Counts[report.StatusNotApplicable], c.Counts[report.StatusAttested],
		c.Counts[report.StatusNotEvaluated]-len(c.Uncovered), len(c.Uncovered), c.Counts[report.StatusManual])
}

// ScoreText is the score as "51.3/100", or a sentence saying why there is none.
func (c *Card) ScoreText() string {
	return ScoreText(c.Score)
}

// ScoreText formats a score as "51.3/100", or "n/a" when there is none.
func ScoreText(s *float64) string {
	if s == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.1f/100", *s)
}

func percent(n, total int) string {
	if total == 0 {
		return "0%"
	}
	return fmt.Sprintf("%d%%", (100*n+total/2)/total)
}

// FindingsTotal is the number of findings of every severity.
func (c *Card) FindingsTotal() int {
	n := 0
	for _, s := range c.Findings {
		n += s.Count
	}
	return n
}

// SeverityLine lists the findings by severity: "critical 1, high 15, ...".
func (c *Card) SeverityLine() string {
	parts := make([]string, 0, len(c.Findings))
	for _, s := range c.Findings {
		parts = append(parts, fmt.Sprintf("%s %d", s.Severity, s.Count))
	}
	return strings.Join(parts, ", ")
}
