// Package upgrade answers "what breaks if this cluster is upgraded to 1.N": from what a scan
// read (scan.Run with KeepSubjects) and the engine's report, it builds a Plan: the target
// and the path of minors to it with each step's support, the objects that use apiVersions
// the path removes or deprecates (files, live objects as their writers wrote them, Helm
// release manifests), what blocks or slows the drain of the nodes, the addresses the surge
// nodes need, the AKS changes of the path, and a verdict: go, go-with-warnings or no-go.
//
// The rules (Rules) and the AKS changes (Changes) are data with their sources; the removed
// and deprecated apiVersions are internal/kubeapi's table, the minors' dates
// internal/aksversion's calendar.
package upgrade

import (
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/report"
)

// SchemaVersion is the version of the plan's JSON (docs/upgrade-plan.schema.json).
const SchemaVersion = "1"

// Verdicts.
const (
	Go             = "go"
	GoWithWarnings = "go-with-warnings"
	NoGo           = "no-go"
)

// Section statuses.
const (
	StatusOK           = "ok"
	StatusWarning      = "warning"
	StatusBlocker      = "blocker"
	StatusNotEvaluated = "not-evaluated"
)

// Step supports.
const (
	SupportStandard  = "supported"
	SupportLTSOnly   = "lts-only"
	SupportEndOfLife = "end-of-life"
	SupportPreview   = "preview"
)

// Plan is the answer of upgrade-plan for one cluster (or for files without one).
type Plan struct {
	SchemaVersion string      `json:"schemaVersion"`
	Tool          report.Tool `json:"tool"`
	GeneratedAt   string      `json:"generatedAt,omitempty"`
	// Cluster is the cluster planned for; nil when the inputs hold none (manifests with --to).
	Cluster *Cluster `json:"cluster,omitempty"`
	// Target is the minor planned to ("1.36"); TargetFrom says who chose it: "--to",
	// "upgrade-profile" (the next minor the cluster's upgrade profile offers, or further
	// when that one is out of support) or "calendar" (the same from the shipped data).
	Target     string `json:"target"`
	TargetFrom string `json:"targetFrom"`
	// Data names the version data the steps are judged by.
	Data DataSource `json:"data"`
	// Path is every minor from the current one (excluded) to the target: minors cannot be
	// skipped. Empty when the cluster already runs the target or its version is unknown.
	Path    []Step  `json:"path"`
	Verdict string  `json:"verdict"`
	Summary Summary `json:"summary"`
	// Sections are the checklist, in order.
	Sections []Section       `json:"sections"`
	Inputs   []report.Input  `json:"inputs"`
	Errors   []report.Error  `json:"errors,omitempty"`
	Notices  []report.Notice `json:"notices,omitempty"`
}

// Cluster is the cluster a plan is for.
type Cluster struct {
	Name string `json:"name"`
	// Current is the control plane's version; "" when the inputs do not say.
	Current string `json:"current,omitempty"`
	// LTS is true when the cluster runs the AKSLongTermSupport plan on the Premium tier.
	LTS      bool            `json:"lts,omitempty"`
	Location report.Location `json:"location,omitzero"`
}

// DataSource names the version data of a plan.
type DataSource struct {
	Source string `json:"source"`
	AsOf   string `json:"asOf,omitempty"`
}

// Step is one minor of the path.
type Step struct {
	Version string `json:"version"`
	// Patch is the patch to upgrade to, when the upgrade profile or the version list
	// names one.
	Patch     string `json:"patch,omitempty"`
	Support   string `json:"support"`
	EndOfLife string `json:"endOfLife,omitempty"`
	// LTSEndOfLife is the end of long-term support, when the minor has it.
	LTSEndOfLife string `json:"ltsEndOfLife,omitempty"`
}

// Summary counts the findings.
type Summary struct {
	Blockers int `json:"blockers"`
	Warnings int `json:"warnings"`
	Info     int `json:"info"`
}

// Section is one part of the checklist.
type Section struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Status string `json:"status"`
	// Reason says why a section was not evaluated, or what it could not judge.
	Reason   string    `json:"reason,omitempty"`
	Findings []Finding `json:"findings"`
}

// Finding is one thing the plan found.
type Finding struct {
	Rule        string          `json:"rule"`
	Severity    check.Severity  `json:"severity"`
	Blocking    bool            `json:"blocking"`
	Message     string          `json:"message"`
	Remediation string          `json:"remediation,omitempty"`
	Object      report.Object   `json:"object,omitzero"`
	Location    report.Location `json:"location,omitzero"`
	// Step is the minor of the path the finding belongs to, when it is one.
	Step string `json:"step,omitempty"`
	// Via says where an apiVersion was seen: "manifest", "last-applied" (a live object's
	// writers: kubectl's last-applied copy or managedFields), "helm-release".
	Via string `json:"via,omitempty"`
	// Check is the engine's check that reports it too, when one does.
	Check string `json:"check,omitempty"`
}

// Findings returns every finding of the plan, section by section.
func (p *Plan) Findings() []Finding {
	var out []Finding
	for _, s := range p.Sections {
		out = append(out, s.Findings...)
	}
	return out
}

// CountAtOrAbove counts the findings at or above a severity (for --fail-on).
func (p *Plan) CountAtOrAbove(least check.Severity) int {
	n := 0
	for _, f := range p.Findings() {
		if f.Severity >= least {
			n++
		}
	}
	return n
}
