package vuln

import (
	"context"
	"fmt"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// BaseImageRefresh finds images whose base has fixes they do not carry.
var BaseImageRefresh = check.New(check.Meta{
	ID:          "base-image-refresh",
	CrossObject: true,
	Item:        "cluster.base-image-refresh",
	Title:       "Images are rebuilt when their base image is patched",
	Severity:    check.Medium,
	Dated:       true,
	Description: "A scan report lists fixable vulnerabilities in OS packages (Trivy class os-pkgs; Grype " +
		"deb, rpm, apk and other distribution packages) at or above the threshold (vulnThreshold, " +
		"--vuln-threshold): the distribution has shipped the fix, so the image was not rebuilt after its " +
		"base image was. One finding per image, with the count of fixable OS-package vulnerabilities by " +
		"severity, the source that reported them (Trivy, Grype, Defender for Cloud) and the workloads that run it. Vulnerabilities accepted in vulnerabilities.ignore do " +
		"not count; when several reports scanned the same image, only the newest counts.",
	Remediation: "Rebuild the image on the current base image and roll it out; automate it with an ACR task base-image trigger, or Dependabot/Renovate updates of the FROM line.",
	Evidence:    evidence,
	Settings:    []check.Setting{VulnIgnoreSetting, VulnThresholdSetting},
}, func(_ context.Context, env *check.Env, r *subject.ImageReport, res *check.Result) {
	if env.Index.Superseded(r) || !r.IsImage {
		res.NotApplicable()
		return
	}
	by := map[check.Severity]int{}
	total, trigger := 0, false
	for i := range r.Vulnerabilities {
		v := &r.Vulnerabilities[i]
		if !v.OSPackage || !v.Fixable() {
			continue
		}
		if active, _ := ignoreFor(env, r, v); active != nil {
			continue
		}
		sev := severityOf(v.Severity)
		by[sev]++
		total++
		trigger = trigger || sev >= VulnThresholdSetting.Get(env)
	}
	if !trigger {
		return
	}
	who, related := users(env.Index, r)
	res.Add(check.Finding{Severity: res.Severity(), Location: subject.Location{File: r.File}, Related: related,
		Message: fmt.Sprintf("image %s has %s in OS packages (%s), reported by %s: its base image has been patched since it was built; %s",
			r.Artifact, plural(total, "fixable vulnerability", "fixable vulnerabilities"), counts(by), r.SourceName(), who)})
})
