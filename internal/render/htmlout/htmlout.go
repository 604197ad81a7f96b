// Package htmlout renders the report as one self-contained HTML page: the scorecard with
// inline SVG charts, the findings in a table that can be filtered and sorted, every checklist
// item by section, the inputs and the errors. It loads nothing (no external script, style or
// font), carries a Content-Security-Policy that allows only its own script and style (by hash),
// and prints cleanly. Every value from the scan goes through html/template's escaping.
package htmlout

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/docs"
	"github.com/akscheck/akscheck/internal/render/fixtext"
	"github.com/akscheck/akscheck/internal/render/sanitize"
	"github.com/akscheck/akscheck/internal/render/scorecard"
	"github.com/akscheck/akscheck/internal/report"
)

//go:embed report.html.tmpl
var pageTemplate string

//go:embed style.css
var style string

//go:embed script.js
var script string

// Options tune the page.
type Options struct {
	// DocsBaseURL is where the check pages are (docs.DefaultBaseURL when empty).
	DocsBaseURL string
	// Keep, when set, selects the findings the findings table shows (the dashboard's
	// server-side filters); the scorecard still counts them all.
	Keep func(report.Finding) bool
}

// CSP is the Content-Security-Policy of the page: nothing but its own inline script and style,
// named by their SHA-256 hashes.
func CSP() string { return Policy("'none'") }

// Style is the page's style sheet, for a page that embeds its parts.
func Style() string { return style }

// Policy is the page's Content-Security-Policy for a page that embeds its parts (the
// dashboard): the page's script and style, the extra inline styles given (by hash), and
// formAction as form-action ("'self'" for a page with a GET form).
func Policy(formAction string, extraStyles ...string) string {
	styles := "'" + hash(style) + "'"
	for _, s := range extraStyles {
		styles += " '" + hash(s) + "'"
	}
	return fmt.Sprintf("default-src 'none'; script-src '%s'; style-src %s; base-uri 'none'; form-action %s", hash(script), styles, formAction)
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// Template returns the page's template, parsed anew (the caller may add templates to it). Its
// parts are named templates of a *Page: "scorecard", "findings", "items", "inputs" and
// "errors"; a page that embeds them carries the page's style and script (Page.Style,
// Page.Script) and Policy as its Content-Security-Policy.
func Template() (*template.Template, error) {
	tmpl, err := template.New("report").Parse(pageTemplate)
	if err != nil {
		return nil, fmt.Errorf("parsing the HTML template: %w", err)
	}
	return tmpl, nil
}

// Render writes the report as an HTML page.
func Render(w io.Writer, rep *report.Report, cat *catalog.Catalog, checks []*check.Check, opts Options) error {
	tmpl, err := Template()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, NewPage(rep, cat, checks, opts)); err != nil {
		return fmt.Errorf("rendering HTML: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("writing HTML: %w", err)
	}
	return nil
}

var statusColor = map[string]string{
	report.StatusPass: "#1a7f37", report.StatusFail: "#cf222e", report.StatusNotApplicable: "#8c959f",
	report.StatusNotEvaluated: "#d4a72c", report.StatusManual: "#6e7781", report.StatusAttested: "#0969da",
}

var severityColor = map[check.Severity]string{
	check.Critical: "#8250df", check.High: "#cf222e", check.Medium: "#bc4c00", check.Low: "#0969da", check.Info: "#59636e",
}

// Page is what the template renders: the report's values, made safe to show.
type Page struct {
	CSP           string
	Style         template.CSS
	Script        template.JS
	Tool          string
	GeneratedAt   string
	Card          *scorecard.Card
	ScoreText     string
	FindingsTotal int
	StatusCards   []statusCount
	StatusLegend  []statusCount
	Chart         sectionChart
	Severity      severityChart
	Filters       filters
	Findings      []findingView
	Suppressed    []findingView
	Baseline      *report.Baseline
	Sections      []sectionView
	Inputs        []report.Input
	Errors        []report.Error
	Notices       []report.Notice
	// SkippedDocuments counts documents that were not Kubernetes objects.
	SkippedDocuments int
}

type statusCount struct {
	Status, Label string
	Count         int
}

type sectionChart struct {
	Width, Height, BarX, BarWidth, ScoreX int
	Rows                                  []sectionRow
}

type sectionRow struct {
	Title, ScoreText, ScoreColor, ScoreWidth string
	HasScore                                 bool
	TextY, BarY                              int
	Segments                                 []segment
}

type segment struct {
	X, W, Color, Label string
	Y                  int
}

type severityChart struct {
	Width, Height, BarX int
	Rows                []severityRow
}

type severityRow struct {
	Label, Color, W    string
	Count, TextY, BarY int
	CountX             string
}

type option struct{ Value, Label string }

type filters struct {
	Severities, Sections, Namespaces, Checks []option
}

type findingView struct {
	Order                               int
	Severity                            string
	SeverityRank                        int
	Section, SectionTitle               string
	SectionRank                         int
	Check, Item, DocsURL                string
	Kind, Namespace, NamespaceKey, Name string
	Container, File, Path, LocationSort string
	Line                                int
	Message, Remediation, SuppressedBy  string
	// Fix is the finding's fix in the input's form, nil when it has none.
	Fix *fixView
}

// fixView is a finding's fix made safe to show: each part escaped like every scanned value
// (sanitize.Text, then html/template's escaping), the edits one line each.
type fixView struct {
	Input, Where, Command, Note string
	Edits                       []string
}

func fixOf(f *report.Fix) *fixView {
	v := fixtext.Of(f)
	if v.Empty() {
		return nil
	}
	out := &fixView{Input: sanitize.Text(v.Input), Where: sanitize.Text(v.Where), Command: sanitize.Text(v.Command), Note: sanitize.Text(v.Note)}
	for _, e := range v.Edits {
		out.Edits = append(out.Edits, sanitize.Text(e))
	}
	return out
}

type sectionView struct {
	ID, Title, ScoreText, StatusLine string
	Items                            []itemView
}

type itemView struct {
	ID, Title, Status, Label, Reason string
	Checks                           []checkLink
	Findings                         int
}

type checkLink struct{ ID, URL, Title string }

// noNamespace is the filter value of findings about cluster-scoped objects (a namespace name
// can never be "-").
const noNamespace = "-"

// NewPage builds the page of a report.
func NewPage(rep *report.Report, cat *catalog.Catalog, checks []*check.Check, opts Options) *Page {
	card := scorecard.Build(rep, cat)
	titles := map[string]string{}
	for _, c := range checks {
		titles[c.ID] = c.Title
	}
	p := &Page{
		CSP: CSP(), Style: template.CSS(style), Script: template.JS(script),
		Tool: rep.Tool.Name + " " + rep.Tool.Version, GeneratedAt: rep.GeneratedAt,
		Card: card, ScoreText: card.ScoreText(), FindingsTotal: card.FindingsTotal(),
		Baseline: baselineView(rep.Baseline), SkippedDocuments: rep.Summary.Skipped,
	}
	for _, in := range rep.Inputs {
		in.Source = sanitize.Text(in.Source)
		p.Inputs = append(p.Inputs, in)
	}
	for _, e := range rep.Errors {
		e.Source, e.Message = sanitize.Text(e.Source), sanitize.Lines(e.Message)
		p.Errors = append(p.Errors, e)
	}
	for _, n := range rep.Notices {
		n.Source, n.Message = sanitize.Text(n.Source), sanitize.Lines(n.Message)
		p.Notices = append(p.Notices, n)
	}
	for _, s := range report.Statuses {
		sc := statusCount{Status: s, Label: scorecard.Label(s), Count: card.Counts[s]}
		p.StatusCards = append(p.StatusCards, sc)
		p.StatusLegend = append(p.StatusLegend, sc)
	}
	p.Chart = buildSectionChart(card)
	p.Severity = buildSeverityChart(card)

	for i, f := range rep.Findings {
		if opts.Keep != nil && !opts.Keep(f) {
			continue
		}
		p.Findings = append(p.Findings, view(i, f, cat, opts))
	}
	for i, f := range rep.Suppressed {
		p.Suppressed = append(p.Suppressed, view(i, f, cat, opts))
	}
	p.Filters = buildFilters(p.Findings, cat)

	for _, s := range card.Sections {
		sv := sectionView{ID: s.ID, Title: s.Title, ScoreText: scorecard.ScoreText(s.Score), StatusLine: statusLine(s.Counts)}
		for _, it := range s.Items {
			iv := itemView{ID: it.ID, Title: it.Title, Status: it.Status, Label: scorecard.Label(it.Status), Reason: it.Reason, Findings: it.Findings}
			for _, c := range it.Checks {
				iv.Checks = append(iv.Checks, checkLink{ID: c, URL: docs.PageURL(opts.DocsBaseURL, c), Title: titles[c]})
			}
			sv.Items = append(sv.Items, iv)
		}
		p.Sections = append(p.Sections, sv)
	}
	return p
}

func view(order int, f report.Finding, cat *catalog.Catalog, opts Options) findingView {
	sec := cat.ItemSection(f.Item)
	v := findingView{
		Order: order, Severity: f.Severity.String(), SeverityRank: int(f.Severity),
		Section: sec, SectionTitle: cat.SectionTitle(sec), SectionRank: cat.SectionIndex(sec),
		Check: f.Check, Item: f.Item, DocsURL: docs.PageURL(opts.DocsBaseURL, f.Check),
		Kind: sanitize.Text(f.Object.Kind), Namespace: sanitize.Text(f.Object.Namespace), Name: sanitize.Text(f.Object.Name),
		Container: sanitize.Text(f.Container), File: sanitize.Text(f.Location.File), Line: f.Location.Line, Path: sanitize.Text(f.Location.Path),
		Message: sanitize.Lines(f.Message), Remediation: sanitize.Lines(f.Remediation), SuppressedBy: sanitize.Text(f.SuppressedBy),
		Fix: fixOf(f.Fix),
	}
	v.NamespaceKey = v.Namespace
	v.LocationSort = fmt.Sprintf("%s:%09d", v.File, v.Line)
	if v.NamespaceKey == "" {
		v.NamespaceKey = noNamespace
	}
	return v
}

// baselineView is the baseline with its scanned values made safe to show.
func baselineView(b *report.Baseline) *report.Baseline {
	if b == nil {
		return nil
	}
	out := *b
	out.Source = sanitize.Text(b.Source)
	out.Fixed = make([]report.FixedFinding, len(b.Fixed))
	for i, f := range b.Fixed {
		f.Check, f.Message, f.Container = sanitize.Text(f.Check), sanitize.Lines(f.Message), sanitize.Text(f.Container)
		f.Object.Kind, f.Object.Namespace, f.Object.Name = sanitize.Text(f.Object.Kind), sanitize.Text(f.Object.Namespace), sanitize.Text(f.Object.Name)
		out.Fixed[i] = f
	}
	return &out
}

func buildFilters(fs []findingView, cat *catalog.Catalog) filters {
	var out filters
	sev := map[string]int{}
	sec := map[string]int{}
	ns := map[string]int{}
	chk := map[string]int{}
	for _, f := range fs {
		sev[f.Severity]++
		sec[f.Section]++
		ns[f.NamespaceKey]++
		chk[f.Check]++
	}
	for _, s := range check.Severities() {
		if n := sev[s.String()]; n > 0 {
			out.Severities = append(out.Severities, option{s.String(), fmt.Sprintf("%s (%d)", s, n)})
		}
	}
	for _, s := range cat.Sections {
		if n := sec[s.ID]; n > 0 {
			out.Sections = append(out.Sections, option{s.ID, fmt.Sprintf("%s (%d)", s.Title, n)})
		}
	}
	for _, k := range slices.Sorted(maps.Keys(ns)) {
		label := k
		if k == noNamespace {
			label = "(cluster-scoped)"
		}
		out.Namespaces = append(out.Namespaces, option{k, fmt.Sprintf("%s (%d)", label, ns[k])})
	}
	for _, k := range slices.Sorted(maps.Keys(chk)) {
		out.Checks = append(out.Checks, option{k, fmt.Sprintf("%s (%d)", k, chk[k])})
	}
	return out
}

func statusLine(counts map[string]int) string {
	var parts []string
	for _, s := range report.Statuses {
		if n := counts[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, scorecard.Label(s)))
		}
	}
	return strings.Join(parts, ", ")
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

func scoreColor(s float64) string {
	switch {
	case s >= 80:
		return "#1a7f37"
	case s >= 50:
		return "#bc4c00"
	}
	return "#cf222e"
}

// buildSectionChart lays out one row per section: the score as a bar, and the items as a bar
// stacked by status.
func buildSectionChart(card *scorecard.Card) sectionChart {
	const rowHeight, barX, barWidth = 34, 150, 260
	c := sectionChart{BarX: barX, BarWidth: barWidth, ScoreX: barX + barWidth + 8}
	c.Width = c.ScoreX + 64
	for i, s := range card.Sections {
		y := i * rowHeight
		row := sectionRow{Title: s.Title, ScoreText: scorecard.ScoreText(s.Score), TextY: y + 14, BarY: y + 4}
		if s.Score != nil {
			row.HasScore = true
			row.ScoreWidth = num(*s.Score / 100 * barWidth)
			row.ScoreColor = scoreColor(*s.Score)
			row.ScoreText = num(*s.Score)
		}
		x := float64(barX)
		for _, st := range report.Statuses {
			n := s.Counts[st]
			if n == 0 {
				continue
			}
			w := float64(n) / float64(len(s.Items)) * barWidth
			row.Segments = append(row.Segments, segment{X: num(x), W: num(w), Y: y + 16, Color: statusColor[st],
				Label: fmt.Sprintf("%s: %d %s", s.Title, n, scorecard.Label(st))})
			x += w
		}
		c.Rows = append(c.Rows, row)
	}
	c.Height = len(card.Sections)*rowHeight + 4
	return c
}

func buildSeverityChart(card *scorecard.Card) severityChart {
	const rowHeight, barX, barWidth = 22, 70, 220
	c := severityChart{BarX: barX, Width: barX + barWidth + 48}
	most := 1
	for _, s := range card.Findings {
		most = max(most, s.Count)
	}
	for i, s := range card.Findings {
		y := i * rowHeight
		w := float64(s.Count) / float64(most) * barWidth
		c.Rows = append(c.Rows, severityRow{Label: s.Severity.String(), Color: severityColor[s.Severity], W: num(w),
			Count: s.Count, TextY: y + 14, BarY: y + 4, CountX: num(float64(barX) + w + 6)})
	}
	c.Height = len(card.Findings)*rowHeight + 4
	return c
}
