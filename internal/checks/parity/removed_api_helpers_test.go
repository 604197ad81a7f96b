package parity

import (
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/testutil"
)

// scanRemovedAPI runs every built-in check over one manifest file's content, as
// `akscheck scan` does on the tests' scan date, and returns the report.
func scanRemovedAPI(t *testing.T, yaml string) *report.Report {
	t.Helper()
	scan := manifest.LoadBytes("parity.yaml", []byte(yaml), manifest.Options{})
	scan.Evidence[catalog.Manifest] = true
	return engine.Run(t.Context(), catalog.MustLoad(), checks.All(), scan, engine.Options{Now: testutil.Now})
}

// scanRemovedAPIClean is scanRemovedAPI for content that must load without errors.
func scanRemovedAPIClean(t *testing.T, yaml string) *report.Report {
	t.Helper()
	rep := scanRemovedAPI(t, yaml)
	if len(rep.Errors) > 0 {
		t.Fatalf("errors: %+v", rep.Errors)
	}
	return rep
}

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
