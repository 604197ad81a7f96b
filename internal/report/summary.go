package report

import (
	"cmp"
	"math"
	"slices"
	"strings"

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
// Findings that compare equal keep their order. It sorts their indices and moves each
// finding once: a report of a large cluster has tens of thousands of findings, too large to
// move at every step of a sort.
func SortFindings(cat *catalog.Catalog, fs []Finding) {
	if len(fs) < 2 {
		return
	}
	idx := make([]int32, len(fs))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int {
		if c := compareFindings(cat, &fs[a], &fs[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	// Sorted, fs[i] is what fs[idx[i]] holds now. The findings are moved along the cycles of
	// that permutation in place: a sorted copy would be a second report's worth of findings
	// (110 MB for the 378,000 of the 420k tree) at the end of the checks, where the heap peaks.
	for start := range idx {
		if int(idx[start]) == start {
			continue
		}
		held := fs[start]
		at := start
		for {
			from := int(idx[at])
			idx[at] = int32(at) // placed
			if from == start {
				fs[at] = held
				break
			}
			fs[at] = fs[from]
			at = from
		}
	}
}

// FindingLess reports whether a comes before b in report order.
func FindingLess(cat *catalog.Catalog, a, b Finding) bool { return compareFindings(cat, &a, &b) < 0 }

func compareFindings(cat *catalog.Catalog, a, b *Finding) int {
	if a.Item != b.Item {
		if c := cmp.Compare(cat.ItemIndex(a.Item), cat.ItemIndex(b.Item)); c != 0 {
			return c
		}
	}
	if c := strings.Compare(a.Check, b.Check); c != 0 {
		return c
	}
	if c := strings.Compare(a.Location.File, b.Location.File); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Location.Line, b.Location.Line); c != 0 {
		return c
	}
	if c := strings.Compare(a.Object.Name, b.Object.Name); c != 0 {
		return c
	}
	return strings.Compare(a.Container, b.Container)
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
