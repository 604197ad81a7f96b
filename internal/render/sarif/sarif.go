// Package sarif renders the report as SARIF 2.1.0 for GitHub code scanning and other SARIF
// viewers: one rule per check (from the checks' metadata), one result per finding.
package sarif

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/docs"
	"github.com/akscheck/akscheck/internal/render/sanitize"
	"github.com/akscheck/akscheck/internal/report"
)

// Version and Schema name the SARIF version written.
const (
	Version = "2.1.0"
	Schema  = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)

// FingerprintKey is the partialFingerprints key of akscheck's own fingerprint: the check, the
// object (kind, namespace, name) and the container, plus an occurrence number among findings
// that share them. It leaves out lines, so results keep their identity when lines move.
const FingerprintKey = "akscheckFinding/v1"

// InformationURI is the project's home.
const InformationURI = "https://github.com/akscheck/akscheck"

// Options tune the SARIF log.
type Options struct {
	// DocsBaseURL is where the check pages are (docs.DefaultBaseURL when empty). helpUri is only
	// set when it is an absolute URL, as SARIF requires; the help text always carries the link.
	DocsBaseURL string
}

// securitySeverity maps severities to GitHub code scanning's security-severity scores
// (over 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, up to 3.9 low).
var securitySeverity = map[check.Severity]string{
	check.Critical: "9.5", check.High: "8.0", check.Medium: "5.5", check.Low: "3.0", check.Info: "1.0",
}

// level maps severities to SARIF levels.
func level(s check.Severity) string {
	switch {
	case s >= check.High:
		return "error"
	case s == check.Medium:
		return "warning"
	}
	return "note"
}

type log struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []run  `json:"runs"`
}

type run struct {
	Tool               tool                        `json:"tool"`
	Invocations        []invocation                `json:"invocations"`
	OriginalURIBaseIDs map[string]artifactLocation `json:"originalUriBaseIds,omitempty"`
	Results            []result                    `json:"results"`
	ColumnKind         string                      `json:"columnKind"`
	Properties         map[string]any              `json:"properties,omitempty"`
}

type tool struct {
	Driver driver `json:"driver"`
}

type driver struct {
	Name           string `json:"name"`
	Version        string `json:"version,omitempty"`
	SemanticVer    string `json:"semanticVersion,omitempty"`
	InformationURI string `json:"informationUri"`
	Rules          []rule `json:"rules"`
}

type message struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type rule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     message        `json:"shortDescription"`
	FullDescription      message        `json:"fullDescription"`
	Help                 message        `json:"help"`
	HelpURI              string         `json:"helpUri,omitempty"`
	DefaultConfiguration ruleConfig     `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties"`
}

type ruleConfig struct {
	Level   string `json:"level"`
	Enabled bool   `json:"enabled"`
}

type invocation struct {
	ExecutionSuccessful bool           `json:"executionSuccessful"`
	Notifications       []notification `json:"toolExecutionNotifications,omitempty"`
	ConfigNotifications []notification `json:"toolConfigurationNotifications,omitempty"`
}

type notification struct {
	Level     string     `json:"level"`
	Message   message    `json:"message"`
	Locations []location `json:"locations,omitempty"`
}

type result struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             message           `json:"message"`
	Locations           []location        `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Suppressions        []suppression     `json:"suppressions,omitempty"`
	BaselineState       string            `json:"baselineState,omitempty"`
	Fixes               []fix             `json:"fixes,omitempty"`
	Properties          map[string]any    `json:"properties,omitempty"`
}

type suppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification,omitempty"`
}

type location struct {
	PhysicalLocation *physicalLocation `json:"physicalLocation,omitempty"`
	LogicalLocations []logicalLocation `json:"logicalLocations,omitempty"`
}

type physicalLocation struct {
	ArtifactLocation artifactLocation `json:"artifactLocation"`
	Region           *region          `json:"region,omitempty"`
}

type artifactLocation struct {
	URI         string   `json:"uri,omitempty"`
	URIBaseID   string   `json:"uriBaseId,omitempty"`
	Description *message `json:"description,omitempty"`
}

// Base IDs of the pseudo-files that locate what no file holds. GitHub code scanning rejects a
// whole upload when a result has no physical location, so every result gets one: the input
// file where there is one, else a stable path under one of these bases.
const (
	// baseKubernetes: objects of a running cluster (<context>/<Kind>/<namespace>/<name>) or
	// implied by the manifests (a namespace no file declares: Namespace/<name>).
	baseKubernetes = "KUBERNETES"
	// baseAzure: Azure resources read through Resource Manager, by resource ID path.
	baseAzure = "AZURE"
	// baseStdin: objects read from standard input.
	baseStdin = "STDIN"
)

// baseDescription describes a pseudo-file base in the run (originalUriBaseIds); "" for
// another base.
func baseDescription(base string) string {
	switch base {
	case baseKubernetes:
		return "Kubernetes objects no file holds, as CONTEXT/KIND/NAMESPACE/NAME for a running cluster and KIND/NAMESPACE/NAME for an object the manifests imply"
	case baseAzure:
		return "Azure resources read through Azure Resource Manager, by resource ID"
	case baseStdin:
		return "the documents read from standard input"
	}
	return ""
}

type region struct {
	StartLine int `json:"startLine"`
}

type logicalLocation struct {
	Name               string `json:"name,omitempty"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

// Render writes the report as a SARIF log. checks are the metadata of every check; rules are
// written for all of them, in that order, so that a viewer can show what was checked.
func Render(w io.Writer, rep *report.Report, cat *catalog.Catalog, checks []*check.Check, opts Options) error {
	d := driver{Name: rep.Tool.Name, Version: rep.Tool.Version, InformationURI: InformationURI, Rules: []rule{}}
	if v := strings.TrimPrefix(rep.Tool.Version, "v"); isSemver(v) {
		d.SemanticVer = v
	}
	index := map[string]int{}
	for _, c := range checks {
		index[c.ID] = len(d.Rules)
		d.Rules = append(d.Rules, ruleOf(cat, c, opts))
	}
	// Findings of checks unknown to the metadata (none today) still get a rule, so every
	// result's ruleIndex is valid.
	for _, f := range append(append([]report.Finding(nil), rep.Findings...), rep.Suppressed...) {
		if _, ok := index[f.Check]; !ok {
			index[f.Check] = len(d.Rules)
			d.Rules = append(d.Rules, rule{ID: f.Check, Name: ruleName(f.Check), ShortDescription: message{Text: f.Check},
				FullDescription: message{Text: f.Check}, Help: message{Text: f.Remediation},
				DefaultConfiguration: ruleConfig{Level: level(f.Severity), Enabled: true},
				Properties:           map[string]any{"tags": []string{f.Item}, "security-severity": securitySeverity[f.Severity]}})
		}
	}

	live := liveSources(rep)
	bases := map[string]bool{}
	occurrences := map[string]int{}
	results := make([]result, 0, len(rep.Findings)+len(rep.Suppressed))
	add := func(f report.Finding) {
		fp := report.Fingerprint(f)
		occurrences[fp]++
		r := result{
			RuleID: f.Check, RuleIndex: index[f.Check], Level: level(f.Severity),
			Message:             message{Text: sanitize.Text(f.Message)},
			Locations:           []location{locationOf(f, live, bases)},
			PartialFingerprints: map[string]string{FingerprintKey: fp + ":" + strconv.Itoa(occurrences[fp])},
			Properties:          resultProperties(f),
			Fixes:               fixesOf(f, live),
		}
		if text, fx := resultFix(f); fx != nil {
			r.Message.Text += text
			r.Properties["fix"] = fx
		}
		if f.SuppressedBy != "" {
			r.Suppressions = []suppression{{Kind: "external", Justification: sanitize.Text(f.SuppressedBy)}}
		}
		if rep.Baseline != nil {
			r.BaselineState = "new"
			if f.SuppressedBy == report.SuppressedByBaseline {
				r.BaselineState = "unchanged"
			}
		}
		results = append(results, r)
	}
	for _, f := range rep.Findings {
		add(f)
	}
	for _, f := range rep.Suppressed {
		add(f)
	}

	inv := invocation{ExecutionSuccessful: true}
	for _, e := range rep.Errors {
		n := notification{Level: "error", Message: message{Text: sanitize.Text(e.Message)}}
		if e.Source != "" && !live[e.Source] {
			n.Locations = []location{{PhysicalLocation: physical(e.Source, e.Line)}}
		}
		inv.Notifications = append(inv.Notifications, n)
	}
	// Notices are about the configuration (an expired exemption, a stale attestation).
	for _, n := range rep.Notices {
		note := notification{Level: "note", Message: message{Text: sanitize.Text(n.Message)}}
		if n.Severity >= check.Medium {
			note.Level = "warning"
		}
		if n.Source != "" && !live[n.Source] {
			note.Locations = []location{{PhysicalLocation: physical(n.Source, n.Line)}}
		}
		inv.ConfigNotifications = append(inv.ConfigNotifications, note)
	}
	props := map[string]any{"items": rep.Summary.Items, "findings": rep.Summary.Findings}
	if rep.Summary.Score != nil {
		props["score"] = *rep.Summary.Score
	}
	r := run{Tool: tool{Driver: d}, Invocations: []invocation{inv}, Results: results, ColumnKind: "unicodeCodePoints", Properties: props}
	for b := range bases {
		if r.OriginalURIBaseIDs == nil {
			r.OriginalURIBaseIDs = map[string]artifactLocation{}
		}
		r.OriginalURIBaseIDs[b] = artifactLocation{Description: &message{Text: baseDescription(b)}}
	}
	doc := log{Schema: Schema, Version: Version, Runs: []run{r}}
	// Messages, which viewers show, are escaped for reading (sanitize.Text); every other
	// string keeps its value, with unsafe characters as JSON escapes (sanitize.JSON).
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("writing SARIF: %w", err)
	}
	if _, err := w.Write(sanitize.JSON(buf.Bytes())); err != nil {
		return fmt.Errorf("writing SARIF: %w", err)
	}
	return nil
}

func ruleOf(cat *catalog.Catalog, c *check.Check, opts Options) rule {
	it, _ := cat.Item(c.Item)
	page := docs.PageURL(opts.DocsBaseURL, c.ID)
	text := c.Remediation + "\n\nDocumentation: " + page
	md := "**How to fix:** " + c.Remediation + "\n\n"
	if ex := strings.TrimSpace(c.Example); ex != "" {
		text = c.Remediation + "\n\nExample:\n" + ex + "\n\nDocumentation: " + page
		md += "```" + docs.ExampleLanguage(ex) + "\n" + ex + "\n```\n\n"
	}
	md += fmt.Sprintf("Checklist item `%s` (%s, %s). [Documentation of `%s`](%s): what it looks at, how to fix it, how to exempt an object.",
		c.Item, it.Title, cat.SectionTitle(it.Section()), c.ID, page)
	r := rule{
		ID: c.ID, Name: ruleName(c.ID),
		ShortDescription:     message{Text: c.Title},
		FullDescription:      message{Text: c.Description},
		Help:                 message{Text: text, Markdown: md},
		DefaultConfiguration: ruleConfig{Level: level(c.Severity), Enabled: !c.DisabledByDefault},
		Properties: map[string]any{
			"tags":              []string{"aks-checklist", "section:" + it.Section(), "item:" + c.Item, cat.SectionTitle(it.Section())},
			"security-severity": securitySeverity[c.Severity],
			"precision":         "high",
		},
	}
	if strings.Contains(strings.ToLower(c.Description), "heuristic") {
		r.Properties["precision"] = "medium"
	}
	if docs.IsAbsoluteURL(page) {
		r.HelpURI = page
	}
	return r
}

// ruleName turns a check ID into the PascalCase name SARIF viewers show ("LivenessProbe").
func ruleName(id string) string {
	var b strings.Builder
	for _, part := range strings.Split(id, "-") {
		if part == "" {
			continue
		}
		r := []rune(part)
		r[0] = unicode.ToUpper(r[0])
		b.WriteString(string(r))
	}
	return b.String()
}

// liveSources are the sources of inputs that are not files (a kube context, an Azure
// subscription): findings there get only a logical location.
func liveSources(rep *report.Report) map[string]bool {
	live := map[string]bool{"<stdin>": true}
	for _, in := range rep.Inputs {
		if in.Kind == "cluster" {
			live[in.Source] = true
		}
	}
	return live
}

func isAzureResourceID(s string) bool {
	return strings.HasPrefix(strings.ToLower(s), "/subscriptions/")
}

// locationOf is where a result is: the input file and line where there is one, else a
// pseudo-file under one of the pseudo bases (noted in bases), with the object as its logical
// location either way.
func locationOf(f report.Finding, live, bases map[string]bool) location {
	loc := location{LogicalLocations: []logicalLocation{logical(f)}}
	file := f.Location.File
	switch {
	case isAzureResourceID(file) || (isAzureResourceID(f.Object.Name) && (file == "" || live[file])):
		id := file
		if !isAzureResourceID(id) {
			id = f.Object.Name
		}
		loc.PhysicalLocation = pseudo(baseAzure, strings.Split(strings.Trim(id, "/"), "/"), 0)
		bases[baseAzure] = true
	case file == "<stdin>":
		loc.PhysicalLocation = pseudo(baseStdin, []string{"stdin"}, f.Location.Line)
		bases[baseStdin] = true
	case live[file]:
		loc.PhysicalLocation = pseudo(baseKubernetes, objectPath(file, f.Object), 0)
		bases[baseKubernetes] = true
	case file == "":
		loc.PhysicalLocation = pseudo(baseKubernetes, objectPath("", f.Object), 0)
		bases[baseKubernetes] = true
	default:
		loc.PhysicalLocation = physical(file, f.Location.Line)
	}
	return loc
}

// objectPath is the pseudo path of a Kubernetes object: [context/]Kind/[namespace/]name.
func objectPath(context string, o report.Object) []string {
	var parts []string
	if context != "" {
		parts = append(parts, context)
	}
	parts = append(parts, o.Kind)
	if o.Namespace != "" {
		parts = append(parts, o.Namespace)
	}
	return append(parts, o.Name)
}

// pseudo is a physical location under a pseudo base: each part of the path escaped as a URI
// path segment, so that names with slashes or spaces stay one segment.
func pseudo(base string, parts []string, line int) *physicalLocation {
	escaped := make([]string, 0, len(parts))
	for _, p := range parts {
		if p == "" {
			p = "_"
		}
		escaped = append(escaped, url.PathEscape(p))
	}
	p := &physicalLocation{ArtifactLocation: artifactLocation{URI: strings.Join(escaped, "/"), URIBaseID: base}}
	if line > 0 {
		p.Region = &region{StartLine: line}
	}
	return p
}

func physical(file string, line int) *physicalLocation {
	p := &physicalLocation{ArtifactLocation: artifactURI(file)}
	if line > 0 {
		p.Region = &region{StartLine: line}
	}
	return p
}

// artifactURI makes a file path a URI reference: relative paths stay relative to the
// directory the scan ran in (%SRCROOT%, the repository root in CI), absolute ones become file
// URIs.
func artifactURI(path string) artifactLocation {
	slashed := filepath.ToSlash(path)
	if filepath.IsAbs(path) || strings.HasPrefix(slashed, "/") {
		if !strings.HasPrefix(slashed, "/") {
			slashed = "/" + slashed // C:/x on Windows
		}
		return artifactLocation{URI: (&url.URL{Scheme: "file", Path: slashed}).String()}
	}
	slashed = strings.TrimPrefix(slashed, "./")
	return artifactLocation{URI: (&url.URL{Path: slashed}).String(), URIBaseID: "%SRCROOT%"}
}

// logical names the object of a finding: kind/namespace/name for Kubernetes objects, the
// Azure resource ID for Azure resources.
func logical(f report.Finding) logicalLocation {
	o := f.Object
	if isAzureResourceID(f.Location.File) {
		return logicalLocation{Name: o.Name, FullyQualifiedName: f.Location.File, Kind: "resource"}
	}
	if isAzureResourceID(o.Name) {
		return logicalLocation{Name: o.Name, FullyQualifiedName: o.Name, Kind: "resource"}
	}
	fq := o.Kind + "/"
	if o.Namespace != "" {
		fq += o.Namespace + "/"
	}
	fq += o.Name
	if f.Container != "" {
		fq += "/" + f.Container
	}
	return logicalLocation{Name: o.Name, FullyQualifiedName: fq, Kind: "resource"}
}

func resultProperties(f report.Finding) map[string]any {
	p := map[string]any{"item": f.Item, "severity": f.Severity.String()}
	if f.Location.Path != "" {
		p["path"] = f.Location.Path
	}
	if f.Container != "" {
		p["container"] = f.Container
	}
	if f.Remediation != "" {
		p["remediation"] = f.Remediation
	}
	if len(f.Related) > 0 {
		p["related"] = f.Related
	}
	return p
}

func isSemver(v string) bool {
	core, _, _ := strings.Cut(v, "-")
	core, _, _ = strings.Cut(core, "+")
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if _, err := strconv.Atoi(p); err != nil || p == "" {
			return false
		}
	}
	return true
}
