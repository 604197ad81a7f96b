package vuln

import (
	"strings"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
	"github.com/akscheck/akscheck/internal/testutil"
)

// Defender for Cloud lists only the images it found vulnerable: with its reports in the scan,
// an image without any report may have been scanned and be clean, so image-scan-report and
// image-build-scan leave it undecided (their items not evaluated), and the image it reported
// on is judged like any other.
func TestFindingsOnlyReports(t *testing.T) {
	t.Parallel()
	const scanned = "contosoacr.azurecr.io/shop/web@sha256:4b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c"
	defender := &subject.ImageReport{File: "/subscriptions/s/providers/Microsoft.Security/assessments/c609cf0f-71ab-41e9-a3c6-9a1f7fe1b8d5",
		Scanner: subject.ScannerDefender, FindingsOnly: true, IsImage: true, Artifact: scanned, Created: now().Add(-24 * time.Hour),
		Images: []subject.ImageRef{subject.ParseImage(scanned)}}
	yaml := deployment("web", scanned) + deployment("api", "contosoacr.azurecr.io/shop/api:2.0")
	for _, c := range []*check.Check{ImageScanReport, ImageBuildScan} {
		rep := run(t, c, scanOf(t, yaml, defender), check.Settings{})
		if len(rep.Findings) != 0 {
			t.Errorf("%s: findings %+v", c.ID, rep.Findings)
		}
		it := testutil.Item(rep, c.Item)
		if it.Status != report.StatusNotEvaluated || !strings.Contains(it.Reason, "contosoacr.azurecr.io/shop/api:2.0") || !strings.Contains(it.Reason, "Defender for Cloud lists only") {
			t.Errorf("%s: item %s (%s), want not-evaluated naming the unreported image", c.ID, it.Status, it.Reason)
		}
	}
	// Without a findings-only source the image without a report fails, as before.
	trivy := *defender
	trivy.Scanner, trivy.FindingsOnly = "trivy", false
	if rep := run(t, ImageScanReport, scanOf(t, yaml, &trivy), check.Settings{}); len(rep.Findings) != 1 {
		t.Errorf("with a Trivy report: %d findings, want 1", len(rep.Findings))
	}
}
