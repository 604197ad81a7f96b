// Package vuln holds the checks that read image vulnerability scan reports (Trivy, Grype,
// and Defender for Cloud's image vulnerability assessments read with --azure) and join them to the workloads that run the images: vulnerability thresholds, stale base
// images, and whether every running image has a recent report. Each check is one file with
// its metadata and logic; its fixtures are in testdata/<check-id>/ (a report file, or a
// folder of manifests and reports).
package vuln

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// evidence is what feeds every check of this package: they run only when --scan-reports gave
// reports, or --azure read Defender for Cloud's vulnerability assessments of the images.
var evidence = []catalog.Evidence{catalog.Scan}

// severityOf maps a scanner's severity to a finding severity; NEGLIGIBLE and UNKNOWN are info.
func severityOf(s string) check.Severity {
	switch s {
	case "CRITICAL":
		return check.Critical
	case "HIGH":
		return check.High
	case "MEDIUM":
		return check.Medium
	case "LOW":
		return check.Low
	}
	return check.Info
}

// maxListed is how many workloads a message names before "and N more"; the finding's
// related list holds them all.
const maxListed = 5

// findingsOnlyMissing is what an image without a report lacks when a source of the scan lists
// only the images it found vulnerabilities in: the image may have been scanned and be clean.
const findingsOnlyMissing = "a Trivy or Grype report (--scan-reports) of image %s: Defender for Cloud lists only the images it found vulnerabilities in, so its silence does not say the image was scanned"

// users describes the workloads that run a report's image, for messages and the related list.
func users(ix *subject.Index, r *subject.ImageReport) (string, []check.Related) {
	uses := ix.ImageUsers(r)
	if len(uses) == 0 {
		return "no scanned workload runs it", nil
	}
	related := make([]check.Related, len(uses))
	names := make([]string, 0, min(len(uses), maxListed))
	for i, u := range uses {
		w := u.Workload
		related[i] = check.Related{Kind: w.Kind, Namespace: w.Namespace, Name: w.Name(), Container: u.Container}
		if i < maxListed {
			names = append(names, fmt.Sprintf("%s [%s]", w.Ref(), u.Container))
		}
	}
	s := "run by " + strings.Join(names, ", ")
	if n := len(uses) - maxListed; n > 0 {
		s += fmt.Sprintf(" and %d more", n)
	}
	return s, related
}

// ignoreFor returns the entry of vulnerabilities.ignore that suppresses a vulnerability of a
// report, and the expired entries that would have.
func ignoreFor(env *check.Env, r *subject.ImageReport, v *subject.Vulnerability) (active *check.VulnIgnore, expired []*check.VulnIgnore) {
	ignore := VulnIgnoreSetting.Get(env)
	for i := range ignore {
		e := &ignore[i]
		if !e.Matches(v.ID, v.Package, r.Images) {
			continue
		}
		if e.Expired(env.Now) {
			expired = append(expired, e)
		} else if active == nil {
			active = e
		}
	}
	return active, expired
}

// counts writes "1 critical, 3 high" for counts by severity, most severe first.
func counts(by map[check.Severity]int) string {
	var parts []string
	for _, s := range check.Severities() {
		if n := by[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	return strings.Join(parts, ", ")
}

// age writes a duration in days when it is at least one, else in hours.
func age(d time.Duration) string {
	if d >= 24*time.Hour {
		days := int(d / (24 * time.Hour))
		if days == 1 {
			return "1 day"
		}
		return fmt.Sprintf("%d days", days)
	}
	return d.Round(time.Hour).String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// workloadNoun is "Deployment shop/web" for messages.
func workloadNoun(w *subject.Workload) string {
	if w.Namespace == "" {
		return w.Kind + " " + w.Name()
	}
	return w.Kind + " " + w.Namespace + "/" + w.Name()
}

// sortedExpired orders expired entries by ID for stable output.
func sortedExpired(m map[*check.VulnIgnore]bool) []*check.VulnIgnore {
	out := make([]*check.VulnIgnore, 0, len(m))
	for e := range m {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ID != out[j].ID {
			return out[i].ID < out[j].ID
		}
		return out[i].Package+out[i].Image < out[j].Package+out[j].Image
	})
	return out
}

// VulnIgnoreSetting are the accepted vulnerabilities: the config's vulnerabilities.ignore.
var VulnIgnoreSetting = check.NewInput[[]check.VulnIgnore]("vulnIgnore",
	"the accepted vulnerabilities (vulnerabilities.ignore in .akscheck.yaml)", nil)
