package vuln

import (
	"path/filepath"
	"testing"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/subject"
	"github.com/akscheck/akscheck/internal/testutil"
)

// TestExamples holds the bundled examples to their promise: with --scan-reports
// examples/images, every check of this package passes on some subject and fails on another.
func TestExamples(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..", "..", "examples")
	scan := load.Load(t.Context(), []string{root}, load.Options{ScanReports: []string{filepath.Join(root, "images")}})
	env := &check.Env{Index: subject.NewIndexOf(scan), Now: now()}
	reports := 0
	for _, s := range scan.Others {
		if _, ok := s.(*subject.ImageReport); ok {
			reports++
		}
	}
	if reports != 3 {
		t.Fatalf("%d reports loaded from examples/images, want 3 (errors %+v)", reports, scan.Errors)
	}
	for _, c := range Checks() {
		passed, failed := testutil.Outcomes(t.Context(), c, env)
		if passed == 0 || failed == 0 {
			t.Errorf("check %s: %d subjects pass and %d fail in examples/; want at least one of each", c.ID, passed, failed)
		}
	}
}
