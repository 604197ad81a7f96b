// Package defender holds the checks that read what Microsoft Defender for Cloud says of a
// cluster, beyond whether its plan is on: its security recommendations, read with --azure
// from Azure Resource Graph. (Defender's image vulnerability assessments become image reports,
// judged with Trivy's and Grype's by the checks of package vuln.)
package defender

import (
	"context"
	"fmt"
	"strings"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// maxListed is how many recommendations a finding names before "and N more".
const maxListed = 5

// Recommendations fails clusters for which Defender for Cloud has unhealthy recommendations.
var Recommendations = check.New(check.Meta{
	ID:       "defender-recommendations",
	Item:     "ops.defender",
	Title:    "Defender for Cloud has no open security recommendation for the cluster",
	Severity: check.High,
	Description: "With --azure, the cluster's assessments in Defender for Cloud (Azure Resource Graph, " +
		"securityresources, type microsoft.security/assessments on the cluster's ID; the Security Reader or " +
		"Reader role reads them) are read: each Unhealthy one is a recommendation Defender found unmet, and " +
		"one finding names them with their severity, at the highest of their severities (the first five, " +
		"with a count of the rest). Healthy and not applicable assessments, or none, pass. When they could " +
		"not be read (403, throttling) the item is not evaluated, never passed.",
	Remediation: "Open the cluster's recommendations in Defender for Cloud (Recommendations, filtered on the cluster's resource) and remediate each, or exempt it there with a reason.",
	Evidence:    []catalog.Evidence{catalog.ARM},
}, func(_ context.Context, _ *check.Env, d *subject.DefenderRecommendations, r *check.Result) {
	if !d.Read {
		r.Undecided(fmt.Sprintf("Defender for Cloud's recommendations for cluster %s (Azure Resource Graph securityresources, with the Security Reader or Reader role: %s)", d.Name, d.Error))
		return
	}
	var open []subject.DefenderAssessment
	sev := check.Low
	for _, a := range d.Assessments {
		if !a.Unhealthy() {
			continue
		}
		open = append(open, a)
		sev = max(sev, severityOf(a.Severity))
	}
	if len(open) == 0 {
		return
	}
	names := make([]string, 0, min(len(open), maxListed))
	for i, a := range open {
		if i == maxListed {
			break
		}
		s := a.DisplayName
		if a.Severity != "" {
			s += " (" + a.Severity + ")"
		}
		names = append(names, s)
	}
	msg := fmt.Sprintf("Defender for Cloud has %d unhealthy recommendation(s) for cluster %s: %s", len(open), d.Name, strings.Join(names, "; "))
	if n := len(open) - maxListed; n > 0 {
		msg += fmt.Sprintf("; and %d more", n)
	}
	r.Add(check.Finding{Severity: sev, Location: subject.Location{File: d.ClusterID}, Message: msg})
})

// severityOf maps a recommendation's severity (High, Medium, Low) to a finding severity; an
// unknown one is high, the check's own severity.
func severityOf(s string) check.Severity {
	switch strings.ToLower(s) {
	case "low":
		return check.Low
	case "medium":
		return check.Medium
	}
	return check.High
}
