package vuln

import (
	"context"
	"fmt"
	"time"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// ImageScanReport finds running images without a recent scan report.
var ImageScanReport = check.New(check.Meta{
	ID:          "image-scan-report",
	CrossObject: true,
	Item:        "container.image-scanning",
	Title:       "Every running image has a recent vulnerability scan",
	Severity:    check.High,
	Dated:       true,
	Description: "A container of a scanned workload runs an image for which --scan-reports holds no Trivy or " +
		"Grype report (matched by repository and digest, else by repository and tag; an image without a " +
		"tag is latest), or whose newest report is older than reportMaxAge (--report-max-age, default 7 " +
		"days) at the time of the scan; Defender for Cloud's vulnerability assessments (read with --azure) count " +
		"as a report dated by their newest sub-assessment, and as Defender lists only vulnerable images, an image " +
		"without any report is then undecided rather than failed. New vulnerabilities are published every day: an image scanned " +
		"once at build time drifts out of view. A report without a creation time is reported at info, " +
		"its age unknown. Without --scan-reports this item is not evaluated.",
	Remediation: "Scan every deployed image on a schedule (trivy image -f json, grype -o json) and pass the reports with --scan-reports; or enable Microsoft Defender for Containers, which scans registries continuously.",
	Evidence:    evidence,
	Settings:    []check.Setting{ReportMaxAgeSetting},
}, func(_ context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
	for _, c := range scannable(w, r) {
		rep := env.Index.ImageReportFor(c.ImageRef)
		switch {
		case rep == nil && env.Index.FindingsOnlyReports():
			r.Undecided(fmt.Sprintf(findingsOnlyMissing, c.Image))
		case rep == nil:
			r.Failf(c.Path+".image", c.Name, "image %s of container %q of %s has no scan report", c.Image, c.Name, workloadNoun(w))
		case rep.Created.IsZero():
			r.FailAt(check.Info, w.At(c.Path+".image"), c.Name, "the %s report of image %s (%s) does not say when it was made: its age is unknown", rep.SourceName(), c.Image, rep.File)
		case env.Now.Sub(rep.Created) > ReportMaxAgeSetting.Get(env).Duration():
			r.Failf(c.Path+".image", c.Name, "the newest scan report of image %s (%s, %s) is %s old, older than %s", c.Image, rep.SourceName(), rep.File,
				age(env.Now.Sub(rep.Created)), age(ReportMaxAgeSetting.Get(env).Duration()))
		}
	}
})

// ImageBuildScan finds deployed images that were never scanned.
var ImageBuildScan = check.New(check.Meta{
	ID:          "image-build-scan",
	CrossObject: true,
	Item:        "dev.image-static-analysis",
	Title:       "Every deployed image was scanned",
	Severity:    check.Medium,
	Description: "A container of a scanned workload runs an image for which --scan-reports holds no Trivy or " +
		"Grype report (matched by repository and digest, else by repository and tag): the image reached " +
		"the cluster without the static analysis a build pipeline should run on it. The report's age is " +
		"judged by image-scan-report. When Defender for Cloud's assessments were read (--azure), an image " +
		"without any report is undecided: Defender lists only vulnerable images. Without --scan-reports this " +
		"item is not evaluated.",
	Remediation: "Scan each image in the pipeline that builds it (trivy image, grype), fail the build on the threshold, and keep the JSON report with the image for --scan-reports.",
	Evidence:    evidence,
}, func(_ context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
	for _, c := range scannable(w, r) {
		if env.Index.ImageReportFor(c.ImageRef) != nil {
			continue
		}
		if env.Index.FindingsOnlyReports() {
			r.Undecided(fmt.Sprintf(findingsOnlyMissing, c.Image))
		} else {
			r.Failf(c.Path+".image", c.Name, "image %s of container %q of %s was not scanned (no report in --scan-reports)", c.Image, c.Name, workloadNoun(w))
		}
	}
})

// ReportMaxAgeSetting is the age from which an image scan report is stale.
var ReportMaxAgeSetting = check.NewParam("reportMaxAge",
	"age from which an image scan report is stale, in days (7d) or as a Go duration (36h)", check.Age(7*24*time.Hour),
	func(a check.Age) error {
		if a <= 0 {
			return fmt.Errorf("%s is not a positive age", a)
		}
		return nil
	})

// scannable returns the containers of w whose image reference is valid: those a scan report
// can be matched to. A workload without one is not applicable.
func scannable(w *subject.Workload, r *check.Result) []subject.Container {
	var out []subject.Container
	for _, c := range w.Containers() {
		if c.ImageRef.Valid {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		r.NotApplicable()
	}
	return out
}
