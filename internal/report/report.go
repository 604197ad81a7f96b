// Package report is the report model and the versioned JSON contract
// (docs/report.schema.json). Renderers read it; only the engine writes it.
package report

import (
	"strconv"

	"github.com/akscheck/akscheck/internal/check"
)

// SchemaVersion is the version of the JSON contract.
const SchemaVersion = "1"

// Item statuses.
const (
	StatusPass          = "pass"
	StatusFail          = "fail"
	StatusNotApplicable = "not-applicable"
	StatusNotEvaluated  = "not-evaluated"
	StatusManual        = "manual"
	StatusAttested      = "attested"
)

// Statuses lists every item status in report order.
var Statuses = []string{StatusPass, StatusFail, StatusNotApplicable, StatusNotEvaluated, StatusManual, StatusAttested}

// Report is the result of one scan.
type Report struct {
	SchemaVersion string    `json:"schemaVersion"`
	Tool          Tool      `json:"tool"`
	GeneratedAt   string    `json:"generatedAt,omitempty"`
	Inputs        []Input   `json:"inputs"`
	Findings      []Finding `json:"findings"`
	Suppressed    []Finding `json:"suppressed,omitempty"`
	Items         []Item    `json:"items"`
	Errors        []Error   `json:"errors,omitempty"`
	// Notices are information about the configuration: expired exemptions, exemptions that
	// do not apply, stale attestations.
	Notices []Notice `json:"notices,omitempty"`
	Summary Summary  `json:"summary"`
	// Baseline is set when the findings were compared with a baseline (--baseline).
	Baseline *Baseline `json:"baseline,omitempty"`
	// Unlisted are the kinds the scan could not list (subject.Scan.Unlisted: kind → why),
	// for the audit's history, which must not take a finding on an object of such a kind
	// for fixed. Not part of the JSON contract: the errors say it.
	Unlisted map[string]string `json:"-"`
}

// SuppressedByBaseline is the SuppressedBy of findings that a baseline recorded.
const SuppressedByBaseline = "baseline"

// Baseline says what comparing the findings with a baseline file found.
type Baseline struct {
	// Source is the baseline file.
	Source string `json:"source"`
	// Suppressed counts the findings the baseline recorded (moved to suppressed).
	Suppressed int `json:"suppressed"`
	// Fixed lists the findings of the baseline that no longer occur.
	Fixed []FixedFinding `json:"fixed"`
}

// FixedFinding is a finding of the baseline that the scan no longer reports.
type FixedFinding struct {
	Check     string         `json:"check"`
	Item      string         `json:"item"`
	Severity  check.Severity `json:"severity"`
	Message   string         `json:"message,omitempty"`
	Object    Object         `json:"object,omitzero"`
	Container string         `json:"container,omitempty"`
}

// Tool names the program that wrote the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Input is one source that was read.
type Input struct {
	Kind    string `json:"kind"`
	Source  string `json:"source"`
	Objects int    `json:"objects"`
}

// Finding is one failed check on one object.
type Finding struct {
	Check       string         `json:"check"`
	Item        string         `json:"item"`
	Severity    check.Severity `json:"severity"`
	Message     string         `json:"message"`
	Remediation string         `json:"remediation,omitempty"`
	Object      Object         `json:"object,omitzero"`
	Container   string         `json:"container,omitempty"`
	Location    Location       `json:"location,omitzero"`
	// Related lists other objects the finding concerns (the workloads running an image).
	Related []Related `json:"related,omitempty"`
	// Fix is the machine-readable remedy, in the form of the finding's input, when its check
	// offers one.
	Fix          *Fix   `json:"fix,omitempty"`
	SuppressedBy string `json:"suppressedBy,omitempty"`
}

// Fix is the remedy of a finding in the form of its input: the edits of the manifest or
// template, the Terraform attribute (named as the module's azurerm version names it), the
// az command that makes the change on a running cluster.
type Fix struct {
	// Input is the kind of input the finding came from (subject.InputKind: manifest, helm,
	// kustomize, cluster, arm, terraform, ...).
	Input string `json:"input"`
	// File and Line are where the edits apply ("" for a running cluster).
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	// Edits are the changes to the input, in order.
	Edits []Edit `json:"edits,omitempty"`
	// Command is the shell command that makes the change on a running resource.
	Command string `json:"command,omitempty"`
	// Provider names the Terraform provider version whose names the edits use ("azurerm v4").
	Provider string `json:"provider,omitempty"`
	// Note says what the edits cannot (a setting chosen only at creation).
	Note string `json:"note,omitempty"`
}

// Edit is one change to an input: set (or append to the list at) a path.
type Edit struct {
	// Op is set, append, or block (a nested Terraform block whose attributes are the value's
	// entries).
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value"`
}

// Related names another object a finding concerns.
type Related struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	Container string `json:"container,omitempty"`
}

// Object names the object of a finding.
type Object struct {
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
}

// Location is where a finding is.
type Location struct {
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	Path string `json:"path,omitempty"`
}

// Item is the status of one checklist item.
type Item struct {
	ID       string   `json:"id"`
	Section  string   `json:"section"`
	Title    string   `json:"title"`
	Status   string   `json:"status"`
	Checks   []string `json:"checks"`
	Findings int      `json:"findings"`
	// Reason says why an item is not evaluated or manual, and which input would prove it.
	Reason string `json:"reason,omitempty"`
	// Blocked are the checks of the item that did not run because a kind they read could not
	// be listed in full (a live list that failed, a cache not synced): the admission webhook
	// reports each as not evaluated.
	Blocked []string `json:"-"`
	// Undecided are the checks of the item that applied to a subject but could not decide
	// it, each with the evidence it lacked (check.Result.Undecided): the admission webhook
	// reports each as not evaluated. Not part of the JSON contract: the reason says it.
	Undecided []Undecided `json:"-"`
}

// Undecided is a check left undecided on some subject, and the evidence it lacked.
type Undecided struct {
	Check   string
	Missing []string
}

// Error is an input, or part of one, that could not be read.
type Error struct {
	Source  string `json:"source"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

// FileLine is where something is in an input: file:line, or the file alone when the line is
// not known (0).
func FileLine(file string, line int) string {
	if line > 0 {
		return file + ":" + strconv.Itoa(line)
	}
	return file
}

// Notice is information about the scan's configuration, not a finding.
type Notice struct {
	Severity check.Severity `json:"severity"`
	Source   string         `json:"source,omitempty"`
	Line     int            `json:"line,omitempty"`
	Message  string         `json:"message"`
}

// Summary counts findings and items.
type Summary struct {
	Findings map[string]int `json:"findings"`
	Items    map[string]int `json:"items"`
	Score    *float64       `json:"score,omitempty"`
	// Skipped counts documents that were not Kubernetes objects.
	Skipped int `json:"skippedDocuments,omitempty"`
}

// CountAtOrAbove returns how many findings have at least the given severity.
func (r *Report) CountAtOrAbove(least check.Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity >= least {
			n++
		}
	}
	return n
}
