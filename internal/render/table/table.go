// Package table renders the report for people: findings grouped by checklist section, the
// errors, and a summary with the checklist score.
package table

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/render/sanitize"
	"github.com/akscheck/akscheck/internal/render/scorecard"
	"github.com/akscheck/akscheck/internal/report"
)

// Options tune the table.
type Options struct {
	// Color adds ANSI colours to severities (only for terminals).
	Color bool
	// Width is the terminal's width: the findings tables fit it, shortening long objects,
	// locations and messages with an ellipsis (the JSON and -o wide keep them whole). 0 means
	// no limit.
	Width int
	// Fixes shows each finding's fix (the command, the edits in the input's form, the note)
	// under its section's table (-o wide); otherwise one line says how many findings carry
	// one, so that the compact table keeps its width.
	Fixes bool
}

var severityColor = map[check.Severity]string{
	check.Critical: "\x1b[1;35m", check.High: "\x1b[1;31m", check.Medium: "\x1b[33m", check.Low: "\x1b[36m", check.Info: "\x1b[2m",
}

const reset = "\x1b[0m"

// Render writes the report as text tables.
func Render(w io.Writer, rep *report.Report, cat *catalog.Catalog, opts Options) error {
	ew := &errWriter{w: w}
	bySection := map[string][]report.Finding{}
	for _, f := range rep.Findings {
		s := cat.ItemSection(f.Item)
		bySection[s] = append(bySection[s], f)
	}
	itemCounts := map[string]map[string]int{}
	for _, it := range rep.Items {
		if itemCounts[it.Section] == nil {
			itemCounts[it.Section] = map[string]int{}
		}
		itemCounts[it.Section][it.Status]++
	}
	for _, sec := range cat.Sections {
		fs := bySection[sec.ID]
		if len(fs) == 0 {
			continue
		}
		ew.printf("%s  (%s)\n", bold(sec.Title, opts), statusLine(itemCounts[sec.ID]))
		findingsTable(ew, rows(fs), opts)
		if opts.Fixes {
			fixesBlock(ew, fs, opts)
		}
		ew.printf("\n")
	}
	if len(rep.Findings) == 0 {
		ew.printf("No findings.\n\n")
	}
	if n := countFixes(rep.Findings); n > 0 && !opts.Fixes {
		ew.printf("%d finding(s) carry a fix: -o wide shows each, -o json has them all.\n\n", n)
	}
	if len(rep.Errors) > 0 {
		ew.printf("%s\n", bold(fmt.Sprintf("Errors (%d)", len(rep.Errors)), opts))
		for _, e := range rep.Errors {
			ew.printf("  %s: %s\n", clean(report.FileLine(e.Source, e.Line)), clean(e.Message))
		}
		ew.printf("\n")
	}
	if len(rep.Notices) > 0 {
		ew.printf("%s\n", bold(fmt.Sprintf("Notices (%d)", len(rep.Notices)), opts))
		for _, n := range rep.Notices {
			src := report.FileLine(n.Source, n.Line)
			if src != "" {
				src += ": "
			}
			ew.printf("  %s%s\n", clean(src), clean(n.Message))
		}
		ew.printf("\n")
	}
	if err := renderScorecard(ew, scorecard.Build(rep, cat), opts); err != nil {
		return err
	}
	if rep.Baseline != nil {
		if err := renderBaseline(ew, rep.Baseline, opts); err != nil {
			return err
		}
	}
	ew.printf("Checklist: %d items: %s\n", len(rep.Items), statusLine(rep.Summary.Items))
	var sev []string
	for _, s := range check.Severities() {
		sev = append(sev, fmt.Sprintf("%s %d", s, rep.Summary.Findings[s.String()]))
	}
	ew.printf("Findings: %d (%s)\n", len(rep.Findings), strings.Join(sev, ", "))
	if rep.Summary.Score != nil {
		ew.printf("Score: %.1f/100\n", *rep.Summary.Score)
	} else {
		ew.printf("Score: n/a (no item could be evaluated)\n")
	}
	return ew.err
}

// findingsTable writes a section's findings, most severe first (in report order within a
// severity), in columns padded by their visible width, so that colours do not shift them. With
// a width, the message, then the location, then the object are shortened until the rows fit.
func findingsTable(ew *errWriter, rs []row, opts Options) {
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].severity > rs[j].severity })
	header := [5]string{"SEVERITY", "CHECK", "OBJECT", "LOCATION", "MESSAGE"}
	cells := make([][5]string, len(rs))
	widths := [5]int{}
	for c, h := range header {
		widths[c] = runeLen(h)
	}
	for i, r := range rs {
		cells[i] = [5]string{r.severity.String(), clean(r.check), clean(r.object), clean(r.location), clean(r.message)}
		for c, v := range cells[i] {
			widths[c] = max(widths[c], runeLen(v))
		}
	}
	fit(&widths, opts.Width)
	line := func(vals [5]string, sev check.Severity, colour bool) {
		var b strings.Builder
		b.WriteString("  ")
		for c, v := range vals {
			switch c {
			case 1:
				v = shortenRight(v, widths[c])
			case 2:
				v = shortenMiddle(v, widths[c])
			case 3:
				v = shortenLeft(v, widths[c])
			case 4:
				v = shortenRight(v, widths[c])
			}
			pad := strings.Repeat(" ", max(0, widths[c]-runeLen(v)))
			if c == 0 && colour {
				v = severityColor[sev] + v + reset
			}
			b.WriteString(v)
			if c < len(vals)-1 {
				b.WriteString(pad + "  ")
			}
		}
		ew.printf("%s\n", b.String())
	}
	line(header, 0, false)
	for i, r := range rs {
		line(cells[i], r.severity, opts.Color)
	}
}

// Narrowest widths the columns are shortened to: a 100-column terminal fits every row.
const (
	minMessage  = 20
	minLocation = 16
	minObject   = 16
	minCheck    = 18
)

// fit shortens the message, location, object and check columns until a row fits width (the two
// leading spaces and two between columns included); columns already narrow stay whole.
func fit(widths *[5]int, width int) {
	if width <= 0 {
		return
	}
	total := func() int {
		t := 2 + 2*(len(widths)-1)
		for _, w := range widths {
			t += w
		}
		return t
	}
	for _, c := range []struct{ col, least int }{{4, minMessage}, {3, minLocation}, {2, minObject}, {1, minCheck}} {
		if over := total() - width; over > 0 && widths[c.col] > c.least {
			widths[c.col] = max(c.least, widths[c.col]-over)
		}
	}
}

func runeLen(s string) int { return len([]rune(s)) }

// shortenRight keeps the start of s (a message reads from its start).
func shortenRight(s string, w int) string {
	r := []rune(s)
	if len(r) <= w || w < 2 {
		return s
	}
	return string(r[:w-1]) + "…"
}

// shortenLeft keeps the end of s (a location's file name and line).
func shortenLeft(s string, w int) string {
	r := []rune(s)
	if len(r) <= w || w < 2 {
		return s
	}
	return "…" + string(r[len(r)-w+1:])
}

// shortenMiddle keeps both ends of s (an object's kind and name, a digest's first and last
// characters).
func shortenMiddle(s string, w int) string {
	r := []rune(s)
	if len(r) <= w || w < 3 {
		return s
	}
	head := (w - 1) / 2
	return string(r[:head]) + "…" + string(r[len(r)-(w-1-head):])
}

// Scorecard writes the scorecard alone: how much of the checklist the report proved, per
// section, and what would evaluate the rest (akscheck items --report).
func Scorecard(w io.Writer, rep *report.Report, cat *catalog.Catalog, opts Options) error {
	ew := &errWriter{w: w}
	if err := renderScorecard(ew, scorecard.Build(rep, cat), opts); err != nil {
		return err
	}
	return ew.err
}

// renderScorecard writes how much of the checklist the scan proved, per section, and what
// would evaluate the rest.
func renderScorecard(ew *errWriter, card *scorecard.Card, opts Options) error {
	ew.printf("%s\n  %s\n\n", bold("Scorecard", opts), card.Headline())
	tw := tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  SECTION\tSCORE\tPASS\tFAIL\tN/A\tNOT EVALUATED\tMANUAL\tATTESTED\tFINDINGS")
	for _, s := range card.Sections {
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", s.Title, scorecard.ScoreText(s.Score),
			s.Counts[report.StatusPass], s.Counts[report.StatusFail], s.Counts[report.StatusNotApplicable],
			s.Counts[report.StatusNotEvaluated], s.Counts[report.StatusManual], s.Counts[report.StatusAttested], s.Findings)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(card.Missing) > 0 {
		ew.printf("\n  Not evaluated for lack of input, and what would evaluate them:\n")
		for _, g := range card.Missing {
			ew.printf("    %3d  %s\n", len(g.Items), clean(g.Reason))
		}
	}
	if len(card.Uncovered) > 0 {
		ew.printf("\n  Not covered by a check of this version: %d item(s).\n", len(card.Uncovered))
	}
	if len(card.Manual) > 0 {
		ew.printf("\n  Manual: %d item(s) a person must look at (or attest); `akscheck items --report` lists them.\n", len(card.Manual))
	}
	ew.printf("\n")
	return nil
}

// renderBaseline writes what the comparison with a baseline found.
func renderBaseline(ew *errWriter, b *report.Baseline, opts Options) error {
	ew.printf("%s\n  %d finding(s) recorded in %s are suppressed; %d recorded finding(s) no longer occur.\n",
		bold("Baseline", opts), b.Suppressed, clean(b.Source), len(b.Fixed))
	if len(b.Fixed) == 0 {
		ew.printf("\n")
		return nil
	}
	tw := tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  FIXED\tCHECK\tOBJECT\tMESSAGE")
	for _, f := range b.Fixed {
		ref := report.Finding{Object: f.Object, Container: f.Container}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", f.Severity, clean(f.Check), clean(objectRef(ref)), clean(f.Message))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	ew.printf("\n")
	return nil
}

func statusLine(counts map[string]int) string {
	var parts []string
	for _, s := range report.Statuses {
		if n := counts[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", s, n))
		}
	}
	return strings.Join(parts, ", ")
}

func objectRef(f report.Finding) string {
	ref := f.Object.Kind + "/"
	if f.Object.Namespace != "" {
		ref += f.Object.Namespace + "/"
	}
	ref += f.Object.Name
	if f.Container != "" {
		ref += " [" + f.Container + "]"
	}
	return ref
}

func location(f report.Finding) string {
	if f.Location.File == "" {
		return ""
	}
	return report.FileLine(f.Location.File, f.Location.Line)
}

func bold(s string, opts Options) string {
	if !opts.Color {
		return s
	}
	return "\x1b[1m" + s + reset
}

// clean escapes control, bidi and invisible characters (sanitize.Text), so scanned values
// cannot drive the terminal or reorder a line.
func clean(s string) string { return sanitize.Text(s) }

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }
