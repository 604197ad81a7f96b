package report

import (
	"math"
	"sort"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
)

// Summarize computes the report's summary from its findings and items: findings by severity,
// items by status, and the score. Skipped is kept as the loaders counted it. It is the one
// place the summary is computed: the engine calls it once every suppression (exemptions and
// the baseline) is done, and nothing recounts it after.
func (r *Report) Summarize() {
	s := Summary{Findings: map[string]int{}, Items: map[string]int{}, Skipped: r.Summary.Skipped}
	for _, sev := range check.Severities() {
		s.Findings[sev.String()] = 0
	}
	for _, st := range Statuses {
		s.Items[st] = 0
	}
	for _, f := range r.Findings {
		s.Findings[f.Severity.String()]++
	}
	for _, it := range r.Items {
		s.Items[it.Status]++
	}
	s.Score = Score(r.Items, r.WorstByItem())
	r.Summary = s
}

// WorstByItem returns the most severe finding of each item among the findings that decide
// item statuses: the reported ones and those a baseline moved aside (a baseline says which
// findings are new; it does not make a failing item pass). Exempted findings do not count.
func (r *Report) WorstByItem() map[string]check.Severity {
	worst := map[string]check.Severity{}
	note := func(f Finding) {
		if s, ok := worst[f.Item]; !ok || f.Severity > s {
			worst[f.Item] = f.Severity
		}
	}
	for _, f := range r.Findings {
		note(f)
	}
	for _, f := range r.Suppressed {
		if f.SuppressedBy == SuppressedByBaseline {
			note(f)
		}
	}
	return worst
}

// severityWeight is how much of an item's credit a failure at that severity takes away.
var severityWeight = map[check.Severity]float64{
	check.Critical: 1, check.High: 0.75, check.Medium: 0.5, check.Low: 0.25, check.Info: 0,
}

// Score is the checklist score, 0–100: the mean credit of the items that were evaluated
// (pass, fail, attested). A passed or attested item earns 1; a failed item earns 1 minus the
// weight of its worst finding (critical 1, high 0.75, medium 0.5, low 0.25, info 0). Items
// not applicable, not evaluated or manual do not count. Nil when no item was evaluated.
// The scorecard scores sections with it, over a section's items.
func Score(items []Item, worst map[string]check.Severity) *float64 {
	total, credit := 0.0, 0.0
	for _, it := range items {
		switch it.Status {
		case StatusPass, StatusAttested:
			total++
			credit++
		case StatusFail:
			total++
			credit += 1 - severityWeight[worst[it.ID]]
		}
	}
	if total == 0 {
		return nil
	}
	s := math.Round(1000*credit/total) / 10
	return &s
}

// SortFindings puts findings in report order: catalog item, then check, file, line, object
// name and container, so that reports are stable whatever order the inputs were read in.
func SortFindings(cat *catalog.Catalog, fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool { return FindingLess(cat, fs[i], fs[j]) })
}

// FindingLess reports whether a comes before b in report order.
func FindingLess(cat *catalog.Catalog, a, b Finding) bool {
	if ia, ib := cat.ItemIndex(a.Item), cat.ItemIndex(b.Item); ia != ib {
		return ia < ib
	}
	if a.Check != b.Check {
		return a.Check < b.Check
	}
	if a.Location.File != b.Location.File {
		return a.Location.File < b.Location.File
	}
	if a.Location.Line != b.Location.Line {
		return a.Location.Line < b.Location.Line
	}
	if a.Object.Name != b.Object.Name {
		return a.Object.Name < b.Object.Name
	}
	return a.Container < b.Container
}

// MergeFindings merges two lists of findings, each in report order, into one in report order.
func MergeFindings(cat *catalog.Catalog, a, b []Finding) []Finding {
	if len(b) == 0 {
		return a
	}
	out := make([]Finding, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if FindingLess(cat, b[j], a[i]) {
			out = append(out, b[j])
			j++
		} else {
			out = append(out, a[i])
			i++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}
