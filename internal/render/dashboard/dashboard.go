// Package dashboard renders the page of akscheck serve --audit at /: the latest audit's
// scorecard and findings (the HTML report's own parts, internal/render/htmlout), the score
// over time overall and per checklist section as an inline SVG chart, and the findings new
// and fixed since a time, filtered by namespace and check. Like the report it loads nothing
// and runs only its own script and styles under a hash-based Content-Security-Policy; every
// value read from the cluster is escaped by html/template after internal/render/sanitize.
package dashboard

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/history"
	"github.com/akscheck/akscheck/internal/render/htmlout"
	"github.com/akscheck/akscheck/internal/render/sanitize"
	"github.com/akscheck/akscheck/internal/report"
)

//go:embed dashboard.html.tmpl
var pageTemplate string

//go:embed dashboard.css
var style string

// CSP is the dashboard's Content-Security-Policy: the report's, with the dashboard's style,
// and its query form may be submitted to the server itself.
func CSP() string { return htmlout.Policy("'self'", style) }

// NoNamespace is the namespace filter's value of cluster-scoped objects (as in the report).
const NoNamespace = "-"

// Data is what the dashboard shows.
type Data struct {
	// Report is the latest audit's report.
	Report *report.Report
	// History is the score of the latest audits, oldest first.
	History []history.Point
	// Since is the query's since as given ("24h"), SinceTime the time it stands for.
	Since     string
	SinceTime time.Time
	// New and Fixed are the findings new (still open) and fixed since SinceTime, already
	// filtered; the Truncated flags say a list reached the store's limit.
	New, Fixed                   []history.Finding
	NewTruncated, FixedTruncated bool
	// Namespace and Check are the filters ("" for all); Namespaces and Checks the values the
	// form offers.
	Namespace, Check     string
	Namespaces, CheckIDs []string
	// Unavailable, when set, says why the history cannot be read: the page shows the latest
	// report (kept in memory) and says so instead of the trend and the changes.
	Unavailable string
	// Cluster names the cluster shown ("" when unknown); Other says it is another cluster
	// of the fleet than the server's own (/?cluster=), which the query form keeps.
	Cluster string
	Other   bool
	// Catalog and Checks are the checklist and the checks' metadata, as for the report.
	Catalog     *catalog.Catalog
	Checks      []*check.Check
	DocsBaseURL string
}

type option struct {
	Value, Label string
	Selected     bool
}

type changeView struct {
	Severity, Check, Item, Kind, Namespace, NamespaceKey, Name, Container, Message string
	FirstSeen, LastSeen, FixedAt                                                   string
	Occurrences                                                                    int
}

type view struct {
	CSP, Since, SinceTime, Namespace, Check string
	Unavailable, Cluster                    string
	Other                                   bool
	Style                                   template.CSS
	Page                                    *htmlout.Page
	Trend                                   trend
	Namespaces, Checks                      []option
	New, Fixed                              []changeView
	NewTruncated, FixedTruncated, Filtered  bool
}

// Render writes the dashboard.
func Render(w io.Writer, d Data) error {
	tmpl, err := templates()
	if err != nil {
		return err
	}
	keep := func(f report.Finding) bool { return Matches(d.Namespace, d.Check, f.Object.Namespace, f.Check) }
	v := view{
		CSP: CSP(), Style: template.CSS(style), Since: d.Since, SinceTime: d.SinceTime.UTC().Format(time.RFC3339),
		Namespace: sanitize.Text(d.Namespace), Check: sanitize.Text(d.Check), Filtered: d.Namespace != "" || d.Check != "",
		Unavailable: sanitize.Text(d.Unavailable), Cluster: sanitize.Text(d.Cluster), Other: d.Other,
		Page:  htmlout.NewPage(d.Report, d.Catalog, d.Checks, htmlout.Options{DocsBaseURL: d.DocsBaseURL, Keep: keep}),
		Trend: buildTrend(d.History, d.Catalog),
		New:   changes(d.New), Fixed: changes(d.Fixed), NewTruncated: d.NewTruncated, FixedTruncated: d.FixedTruncated,
	}
	for _, ns := range d.Namespaces {
		label := sanitize.Text(ns)
		if ns == NoNamespace {
			label = "(cluster-scoped)"
		}
		v.Namespaces = append(v.Namespaces, option{Value: ns, Label: label, Selected: ns == d.Namespace})
	}
	for _, c := range d.CheckIDs {
		v.Checks = append(v.Checks, option{Value: c, Label: sanitize.Text(c), Selected: c == d.Check})
	}
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, "dashboard", v); err != nil {
		return fmt.Errorf("rendering the dashboard: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("writing the dashboard: %w", err)
	}
	return nil
}

// RenderError writes the page of a request the dashboard cannot answer: title and message,
// escaped.
func RenderError(w io.Writer, title, message string) error {
	tmpl, err := templates()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, "failure", map[string]any{"CSP": CSP(), "BaseStyle": template.CSS(htmlout.Style()),
		"Style": template.CSS(style), "Title": title, "Message": sanitize.Lines(message)}); err != nil {
		return fmt.Errorf("rendering the dashboard: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("writing the dashboard: %w", err)
	}
	return nil
}

func templates() (*template.Template, error) {
	tmpl, err := htmlout.Template()
	if err != nil {
		return nil, err
	}
	if _, err := tmpl.New("dashboard").Parse(pageTemplate); err != nil {
		return nil, fmt.Errorf("parsing the dashboard template: %w", err)
	}
	return tmpl, nil
}

// Matches says whether a finding of namespace ns and check id passes the filters namespace
// and checkID ("" passes all; NoNamespace selects cluster-scoped objects).
func Matches(namespace, checkID, ns, id string) bool {
	if namespace != "" && !(ns == namespace || (ns == "" && namespace == NoNamespace)) {
		return false
	}
	return checkID == "" || id == checkID
}

// Options returns the namespaces and checks of the findings given, sorted, for the form.
func Options(rep *report.Report, lists ...[]history.Finding) (namespaces, checks []string) {
	ns, cs := map[string]bool{}, map[string]bool{}
	add := func(n, c string) {
		if n == "" {
			n = NoNamespace
		}
		ns[n], cs[c] = true, true
	}
	if rep != nil {
		for _, f := range rep.Findings {
			add(f.Object.Namespace, f.Check)
		}
	}
	for _, l := range lists {
		for _, f := range l {
			add(f.Object.Namespace, f.Check)
		}
	}
	return slices.Sorted(maps.Keys(ns)), slices.Sorted(maps.Keys(cs))
}

func changes(fs []history.Finding) []changeView {
	out := make([]changeView, 0, len(fs))
	for _, f := range fs {
		v := changeView{Severity: sanitize.Text(f.Severity), Check: sanitize.Text(f.Check), Item: sanitize.Text(f.Item),
			Kind: sanitize.Text(f.Object.Kind), Namespace: sanitize.Text(f.Object.Namespace), Name: sanitize.Text(f.Object.Name),
			Container: sanitize.Text(f.Container), Message: sanitize.Lines(f.Message), Occurrences: f.Occurrences,
			FirstSeen: stamp(f.FirstSeen), LastSeen: stamp(f.LastSeen)}
		v.NamespaceKey = v.Namespace
		if v.NamespaceKey == "" {
			v.NamespaceKey = NoNamespace
		}
		if f.FixedAt != nil {
			v.FixedAt = stamp(*f.FixedAt)
		}
		out = append(out, v)
	}
	return out
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05Z") }

// The trend chart's geometry.
const (
	chartWidth, chartHeight = 760, 260
	left, right             = 40, 740
	top, bottom             = 10, 220
	radius                  = 3
)

// palette colours the sections' series; the overall score is black.
var palette = []string{"#0969da", "#1a7f37", "#bc4c00", "#8250df", "#cf222e", "#1b7c83", "#9a6700", "#bf3989",
	"#6e7781", "#4d2d00", "#0550ae", "#116329", "#953800", "#6639ba"}

type trend struct {
	Width, Height, Left, Right, AxisY, Radius int
	From, To                                  string
	Grid                                      []gridLine
	Series                                    []series
	Points                                    []history.Point
}

type gridLine struct {
	Y, TextY int
	Label    string
}

type series struct {
	ID, Title, Color, Line, Last string
	Points                       []point
}

type point struct {
	X, Y, Color, Label string
}

// buildTrend lays out one series for the overall score and one per checklist section that
// has a score in some audit, x by the audit's start time, y by the score (0-100). An audit
// without a score (nothing evaluated) leaves a gap in its series, not a zero.
func buildTrend(points []history.Point, cat *catalog.Catalog) trend {
	t := trend{Width: chartWidth, Height: chartHeight, Left: left, Right: right, AxisY: bottom + 30, Radius: radius, Points: points}
	for _, v := range []int{0, 25, 50, 75, 100} {
		y := y(float64(v))
		t.Grid = append(t.Grid, gridLine{Y: int(y), TextY: int(y) + 4, Label: fmt.Sprint(v)})
	}
	if len(points) == 0 {
		return t
	}
	first, last := points[0].Started, points[len(points)-1].Started
	t.From, t.To = stamp(first), stamp(last)
	x := func(at time.Time) float64 {
		if !last.After(first) {
			return (left + right) / 2
		}
		return left + float64(at.Sub(first))/float64(last.Sub(first))*(right-left)
	}
	add := func(id, title, color string, score func(history.Point) *float64) {
		s := series{ID: id, Title: title, Color: color, Last: "-"}
		var line []string
		for _, p := range points {
			v := score(p)
			if v == nil {
				continue
			}
			px, py := num(x(p.Started)), num(y(*v))
			line = append(line, px+","+py)
			s.Points = append(s.Points, point{X: px, Y: py, Color: color,
				Label: fmt.Sprintf("%s: %s at %s", title, num(*v), stamp(p.Started))})
			s.Last = num(*v)
		}
		if len(s.Points) == 0 {
			return
		}
		if len(line) > 1 {
			s.Line = strings.Join(line, " ")
		}
		t.Series = append(t.Series, s)
	}
	add("overall", "Overall", "#1f2328", func(p history.Point) *float64 { return p.Score })
	var sections []string
	seen := map[string]bool{}
	for _, p := range points {
		for _, s := range p.Sections {
			if !seen[s.ID] {
				seen[s.ID] = true
				sections = append(sections, s.ID)
			}
		}
	}
	if cat != nil {
		slices.SortStableFunc(sections, func(a, b string) int { return cat.SectionIndex(a) - cat.SectionIndex(b) })
	}
	for i, id := range sections {
		title := id
		if cat != nil && cat.SectionTitle(id) != "" {
			title = cat.SectionTitle(id)
		}
		add(id, title, palette[i%len(palette)], func(p history.Point) *float64 {
			for _, s := range p.Sections {
				if s.ID == id {
					return s.Score
				}
			}
			return nil
		})
	}
	return t
}

func y(score float64) float64 { return bottom - score/100*(bottom-top) }

func num(f float64) string { return fmt.Sprintf("%.1f", f) }
