package parity

import (
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
	"github.com/akscheck/akscheck/internal/testutil"
)

// scanAs runs every built-in check over one YAML document stream on the tests' scan date,
// read as a manifest file, or as the live API answers when input is subject.InputCluster, and
// returns the report, load errors included.
func scanAs(t *testing.T, input subject.InputKind, doc string) *report.Report {
	t.Helper()
	s := manifest.LoadBytes("parity.yaml", []byte(doc), manifest.Options{Input: input})
	ev := catalog.Manifest
	if input == subject.InputCluster {
		ev = catalog.Cluster
	}
	s.Evidence = map[catalog.Evidence]bool{ev: true}
	return engine.Run(t.Context(), catalog.MustLoad(), checks.All(), s, engine.Options{Now: testutil.Now})
}

// scan is scanAs of a manifest file that must load without errors.
func scan(t *testing.T, doc string) *report.Report {
	t.Helper()
	rep := scanAs(t, subject.InputManifest, doc)
	if len(rep.Errors) > 0 {
		t.Fatalf("the case does not load: %+v", rep.Errors)
	}
	return rep
}

// findingsOf returns the findings of one check.
func findingsOf(rep *report.Report, checkID string) []report.Finding {
	var out []report.Finding
	for _, f := range rep.Findings {
		if f.Check == checkID {
			out = append(out, f)
		}
	}
	return out
}
