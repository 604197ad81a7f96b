package vuln

import (
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/checktest"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
	"github.com/akscheck/akscheck/internal/testutil"
)

// now pins the clock of the fixtures: report ages are measured from it.
var now = testutil.Now

// loadFixture reads a fixture: a report file, or a folder of manifests and reports (read as
// `akscheck scan DIR --scan-reports DIR` does).
func loadFixture(t *testing.T, path string) *subject.Scan {
	t.Helper()
	opts := load.Options{ScanReports: []string{path}}
	paths := []string{path}
	if strings.HasSuffix(path, ".json") {
		paths = nil
	}
	scan := load.Load(t.Context(), paths, opts)
	if len(scan.Errors) > 0 {
		t.Fatalf("fixture does not load: %+v", scan.Errors)
	}
	return scan
}

func run(t *testing.T, c *check.Check, scan *subject.Scan, settings check.Settings) *report.Report {
	t.Helper()
	return engine.Run(t.Context(), catalog.MustLoad(), []*check.Check{c}, scan, engine.Options{Settings: settings, Now: now})
}

// TestFixtures runs each check on its fixtures: testdata/<id>/pass_* must give no finding and
// be something the check applies to; fail_* must give at least one, each naming its file.
func TestFixtures(t *testing.T) {
	t.Parallel()
	checktest.Suite{Checks: Checks(), Load: loadFixture, Now: now(),
		Finding: func(t *testing.T, _ string, fd report.Finding) {
			if fd.Location.File == "" {
				t.Errorf("finding %q has no file", fd.Message)
			}
		}}.Run(t)
}
