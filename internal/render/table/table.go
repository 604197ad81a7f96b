// Package table renders the report for people: findings grouped by checklist section, the
// errors, and a summary with the checklist score.
package table

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/render/scorecard"
	"github.com/akscheck/akscheck/internal/report"
)

// Options tune the table.
type Options struct {
	// Color adds ANSI colours to severities (only for terminals).
	Color bool
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
		tw := tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  SEVERITY\tCHECK\tOBJECT\tLOCATION\tMESSAGE")
		for _, r := range rows(fs) {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", severity(r.severity, opts), r.check, clean(r.object), clean(r.location), clean(r.message))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		ew.printf("\n")
	}
	if len(rep.Findings) == 0 {
		ew.printf("No findings.\n\n")
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
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", f.Severity, f.Check, clean(objectRef(ref)), clean(f.Message))
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

func severity(s check.Severity, opts Options) string {
	if !opts.Color {
		return s.String()
	}
	// Pad before colouring so tabwriter sees equal widths for the escape codes.
	return severityColor[s] + fmt.Sprintf("%-8s", s.String()) + reset
}

func bold(s string, opts Options) string {
	if !opts.Color {
		return s
	}
	return "\x1b[1m" + s + reset
}

// clean removes control characters, so scanned values cannot drive the terminal.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

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
