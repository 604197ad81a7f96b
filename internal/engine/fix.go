package engine

import (
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/report"
)

// toReportFix shapes a check's fix for the report: the edits at the finding's file and line,
// an edit without a path at the finding's own path.
func toReportFix(f check.Finding) *report.Fix {
	if f.Fix == nil {
		return nil
	}
	out := &report.Fix{Input: string(f.Fix.Input), File: f.Location.File, Line: positive(f.Location.Line), Note: f.Fix.Note}
	for _, e := range f.Fix.Edits {
		path := e.Path
		if path == "" {
			path = f.Location.Path
		}
		out.Edits = append(out.Edits, report.Edit{Op: string(e.Op), Path: path, Value: e.Value})
	}
	return out
}
