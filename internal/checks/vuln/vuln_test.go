package vuln

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/subject"
)

// scanOf builds a scan of workloads (YAML) and reports.
func scanOf(t *testing.T, yaml string, reports ...*subject.ImageReport) *subject.Scan {
	t.Helper()
	scan := manifest.LoadBytes("workloads.yaml", []byte(yaml), manifest.Options{})
	if len(scan.Errors) > 0 {
		t.Fatal(scan.Errors)
	}
	for _, r := range reports {
		scan.Others = append(scan.Others, r)
	}
	scan.Evidence[catalog.Manifest], scan.Evidence[catalog.Scan] = true, true
	return scan
}

func deployment(name, image string) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: %s, namespace: shop}
spec:
  selector: {matchLabels: {app: %s}}
  template:
    metadata: {labels: {app: %s}}
    spec:
      containers: [{name: app, image: %q}]
---
`, name, name, name, image)
}

func imageReport(file, image string, created time.Time, vulns ...subject.Vulnerability) *subject.ImageReport {
	return &subject.ImageReport{File: file, Scanner: "trivy", Artifact: image, IsImage: true,
		Images: []subject.ImageRef{subject.ParseImage(image)}, Created: created, Vulnerabilities: vulns}
}

var (
	fixedHigh   = subject.Vulnerability{ID: "CVE-2024-0001", Package: "openssl", Version: "3.0.1", FixedVersion: "3.0.2", Severity: "HIGH", OSPackage: true}
	unfixedCrit = subject.Vulnerability{ID: "CVE-2024-0002", Package: "zlib", Version: "1.2", Severity: "CRITICAL", OSPackage: true}
	fixedMedium = subject.Vulnerability{ID: "CVE-2024-0003", Package: "express", Version: "4.0", FixedVersion: "4.1", Severity: "MEDIUM"}
)

func TestFindingsNameTheWorkloadsThatRunTheImage(t *testing.T) {
	t.Parallel()
	image := "contosoacr.azurecr.io/shop/web:1.0"
	var yaml strings.Builder
	for i := range 7 {
		yaml.WriteString(deployment(fmt.Sprintf("web-%d", i), image))
	}
	yaml.WriteString(deployment("other", "contosoacr.azurecr.io/shop/other:1.0"))
	scan := scanOf(t, yaml.String(), imageReport("web.json", image, now(), fixedHigh))
	rep := run(t, VulnerabilityThreshold, scan, nil)
	if len(rep.Findings) != 1 {
		t.Fatalf("findings = %+v", rep.Findings)
	}
	f := rep.Findings[0]
	if len(f.Related) != 7 || f.Related[0].Kind != "Deployment" || f.Related[0].Namespace != "shop" || f.Related[0].Container != "app" {
		t.Errorf("related = %+v, want the 7 deployments that run the image", f.Related)
	}
	for _, want := range []string{"CVE-2024-0001 (high) in openssl 3.0.1, fixed in 3.0.2", "of image " + image,
		"run by Deployment/shop/web-0 [app]", "and 2 more"} {
		if !strings.Contains(f.Message, want) {
			t.Errorf("message %q lacks %q", f.Message, want)
		}
	}
	if f.Object.Kind != "Image" || f.Object.Name != image || f.Location.File != "web.json" || f.Severity != check.High {
		t.Errorf("finding = %+v", f)
	}
}

func TestThresholdParams(t *testing.T) {
	t.Parallel()
	scan := scanOf(t, "", imageReport("r.json", "nginx:1.27", now(), fixedHigh, unfixedCrit, fixedMedium))
	for _, tc := range []struct {
		threshold, unfixed check.Severity
		want               string
	}{
		{check.High, check.Info, "high info"},
		{check.Critical, check.Info, "info"},
		{check.Medium, check.Low, "high low medium"},
	} {
		params := check.Settings{}
		VulnThresholdSetting.Set(params, tc.threshold)
		VulnUnfixedSeveritySetting.Set(params, tc.unfixed)
		var got []string
		for _, f := range run(t, VulnerabilityThreshold, scan, params).Findings {
			got = append(got, f.Severity.String())
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("threshold %s, unfixed %s: severities %v, want %s", tc.threshold, tc.unfixed, got, tc.want)
		}
	}
}

func TestIgnoreList(t *testing.T) {
	t.Parallel()
	image := "contosoacr.azurecr.io/shop/web:1.0"
	scan := scanOf(t, deployment("web", image), imageReport("web.json", image, now(), fixedHigh, unfixedCrit))
	day := func(d int) time.Time { return time.Date(2026, time.November, d, 0, 0, 0, 0, time.UTC) }
	for name, tc := range map[string]struct {
		ignore                []check.VulnIgnore
		findings, suppressed  int
		expiredNote, reasonIn string
	}{
		"none": {nil, 2, 0, "", ""},
		"by id": {[]check.VulnIgnore{{ID: "cve-2024-0001", Reason: "not reachable: TLS is terminated at the gateway"}},
			1, 1, "", "vulnerabilities.ignore: not reachable"},
		"by id, package and repository": {[]check.VulnIgnore{{ID: "CVE-2024-0001", Package: "openssl", Image: "contosoacr.azurecr.io/shop/web", Reason: "r"}},
			1, 1, "", "r"},
		"other package":   {[]check.VulnIgnore{{ID: "CVE-2024-0001", Package: "libssl3", Reason: "r"}}, 2, 0, "", ""},
		"other image":     {[]check.VulnIgnore{{ID: "CVE-2024-0001", Image: "contosoacr.azurecr.io/shop/web:2.0", Reason: "r"}}, 2, 0, "", ""},
		"no reason":       {[]check.VulnIgnore{{ID: "CVE-2024-0001"}}, 2, 0, "", ""},
		"not yet expired": {[]check.VulnIgnore{{ID: "CVE-2024-0002", Reason: "no fix upstream", Expires: day(25)}}, 1, 1, "", "no fix upstream"},
		"expired": {[]check.VulnIgnore{{ID: "CVE-2024-0001", Reason: "until the rebuild", Expires: day(24)}},
			3, 0, "expired on 2026-11-24", ""},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			params := check.Settings{}
			VulnIgnoreSetting.Set(params, tc.ignore)
			rep := run(t, VulnerabilityThreshold, scan, params)
			if len(rep.Findings) != tc.findings || len(rep.Suppressed) != tc.suppressed {
				t.Fatalf("%d findings and %d suppressed, want %d and %d: %+v / %+v", len(rep.Findings), len(rep.Suppressed),
					tc.findings, tc.suppressed, rep.Findings, rep.Suppressed)
			}
			if tc.reasonIn != "" && !strings.Contains(rep.Suppressed[0].SuppressedBy, tc.reasonIn) {
				t.Errorf("suppressedBy = %q, want %q", rep.Suppressed[0].SuppressedBy, tc.reasonIn)
			}
			if tc.expiredNote != "" {
				last := rep.Findings[len(rep.Findings)-1]
				if last.Severity != check.Info || !strings.Contains(last.Message, tc.expiredNote) || len(last.Related) != 1 {
					t.Errorf("expired entry finding = %+v", last)
				}
			}
		})
	}
}

func TestIgnoredVulnerabilitiesDoNotForceARebuild(t *testing.T) {
	t.Parallel()
	scan := scanOf(t, "", imageReport("r.json", "nginx:1.27", now(), fixedHigh))
	params := check.Settings{}
	if n := len(run(t, BaseImageRefresh, scan, params).Findings); n != 1 {
		t.Fatalf("%d findings, want 1", n)
	}
	VulnIgnoreSetting.Set(params, []check.VulnIgnore{{ID: fixedHigh.ID, Reason: "r"}})
	if n := len(run(t, BaseImageRefresh, scan, params).Findings); n != 0 {
		t.Errorf("%d findings with the vulnerability ignored, want 0", n)
	}
}

func TestOnlyTheNewestReportOfAnImageCounts(t *testing.T) {
	t.Parallel()
	image := "contosoacr.azurecr.io/shop/web:1.0"
	old := imageReport("old.json", image, now().Add(-30*24*time.Hour), fixedHigh)
	current := imageReport("new.json", image, now().Add(-time.Hour))
	scan := scanOf(t, deployment("web", image), old, current)
	rep := run(t, VulnerabilityThreshold, scan, nil)
	if len(rep.Findings) != 0 {
		t.Errorf("the superseded report still fails: %+v", rep.Findings)
	}
	if rep := run(t, ImageScanReport, scan, nil); len(rep.Findings) != 0 {
		t.Errorf("the workload is judged on the old report: %+v", rep.Findings)
	}
	params := check.Settings{}
	ReportMaxAgeSetting.Set(params, check.Age(30*time.Minute))
	if rep := run(t, ImageScanReport, scan, params); len(rep.Findings) != 1 || !strings.Contains(rep.Findings[0].Message, "new.json") {
		t.Errorf("--report-max-age 30m: %+v, want the new report stale", rep.Findings)
	}
}

func TestWithoutReportsTheItemsAreNotEvaluated(t *testing.T) {
	t.Parallel()
	scan := manifest.LoadBytes("w.yaml", []byte(deployment("web", "nginx:1.27")), manifest.Options{})
	scan.Evidence[catalog.Manifest] = true
	cat := catalog.MustLoad()
	for _, c := range Checks() {
		rep := run(t, c, scan, nil)
		st := rep.Items[cat.ItemIndex(c.Item)]
		if st.Status != "not-evaluated" && st.Status != "manual" {
			t.Errorf("%s: item %s is %s without reports, want not-evaluated (or manual)", c.ID, c.Item, st.Status)
		}
	}
}
