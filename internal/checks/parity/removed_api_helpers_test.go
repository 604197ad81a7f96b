package parity

import (
	"github.com/akscheck/akscheck/internal/report"
)

// removedAPIFindings returns the findings of the object named name, by check ID.
func removedAPIFindings(rep *report.Report, name string) map[string][]report.Finding {
	out := map[string][]report.Finding{}
	for _, f := range rep.Findings {
		if f.Object.Name == name {
			out[f.Check] = append(out[f.Check], f)
		}
	}
	return out
}
