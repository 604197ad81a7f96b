package table

import (
	"fmt"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/report"
)

// aggregateOver is the number of findings of one check on one object above which the table
// shows a count per severity instead of a row each: a scan report of thousands of
// vulnerabilities stays readable. The JSON and SARIF reports list every finding.
const aggregateOver = 20

// maxRelated is how many related objects an aggregated row names.
const maxRelated = 3

// row is one line of a section's table.
type row struct {
	severity                         check.Severity
	check, object, location, message string
}

type groupKey struct{ check, kind, namespace, name, file string }

func keyOf(f report.Finding) groupKey {
	return groupKey{f.Check, f.Object.Kind, f.Object.Namespace, f.Object.Name, f.Location.File}
}

// rows turns a section's findings into table rows, aggregating large groups (same check,
// object and file) per severity at the place of their first finding.
func rows(fs []report.Finding) []row {
	counts := map[groupKey]map[check.Severity]int{}
	sizes := map[groupKey]int{}
	for _, f := range fs {
		k := keyOf(f)
		if counts[k] == nil {
			counts[k] = map[check.Severity]int{}
		}
		counts[k][f.Severity]++
		sizes[k]++
	}
	out := make([]row, 0, len(fs))
	done := map[groupKey]bool{}
	for _, f := range fs {
		k := keyOf(f)
		if sizes[k] <= aggregateOver {
			out = append(out, row{f.Severity, f.Check, objectRef(f), location(f), f.Message})
			continue
		}
		if done[k] {
			continue
		}
		done[k] = true
		obj := objectRef(report.Finding{Object: f.Object})
		for _, s := range check.Severities() {
			if n := counts[k][s]; n > 0 {
				out = append(out, row{s, f.Check, obj, f.Location.File,
					fmt.Sprintf("%d %s findings, aggregated (%d in all on this object; -o json lists each)%s", n, s, sizes[k], related(f.Related))})
			}
		}
	}
	return out
}

// related names the objects a finding concerns, for aggregated rows.
func related(rel []report.Related) string {
	if len(rel) == 0 {
		return ""
	}
	names := make([]string, 0, maxRelated)
	for i, r := range rel {
		if i == maxRelated {
			break
		}
		names = append(names, objectRef(report.Finding{Object: report.Object{Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}, Container: r.Container}))
	}
	s := "; related: " + strings.Join(names, ", ")
	if n := len(rel) - maxRelated; n > 0 {
		s += fmt.Sprintf(" and %d more", n)
	}
	return s
}
