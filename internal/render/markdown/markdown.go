// Package markdown renders the report as a GitHub-flavoured Markdown summary for pull request
// comments and $GITHUB_STEP_SUMMARY: the score, the scorecard, the top findings and a collapsed
// full list, cut with a note so that it stays under GitHub's 65,536-character limit.
package markdown

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/docs"
	"github.com/akscheck/akscheck/internal/render/sanitize"
	"github.com/akscheck/akscheck/internal/render/scorecard"
	"github.com/akscheck/akscheck/internal/report"
)

// Limit is GitHub's limit for a comment or a step summary, in characters. The output stays
// below it in bytes, which is at least as many.
const Limit = 65536

// Options tune the summary.
type Options struct {
	// DocsBaseURL is where the check pages are (docs.DefaultBaseURL when empty).
	DocsBaseURL string
	// MaxBytes caps the output (Limit when zero).
	MaxBytes int
	// Top is how many findings the "Top findings" table shows (10 when zero).
	Top int
}

const (
	maxCell   = 400 // longest cell, in bytes, before it is cut
	maxListed = 20  // errors and fixed findings listed before "and N more"
)

// Render writes the Markdown summary.
func Render(w io.Writer, rep *report.Report, cat *catalog.Catalog, opts Options) error {
	_, err := io.WriteString(w, Summary(rep, cat, opts))
	if err != nil {
		return fmt.Errorf("writing Markdown: %w", err)
	}
	return nil
}

// Summary returns the Markdown summary.
func Summary(rep *report.Report, cat *catalog.Catalog, opts Options) string {
	limit := opts.MaxBytes
	if limit <= 0 {
		limit = Limit
	}
	top := opts.Top
	if top <= 0 {
		top = 10
	}
	card := scorecard.Build(rep, cat)
	links := &linkDefs{base: opts.DocsBaseURL, seen: map[string]bool{}}
	var b strings.Builder

	b.WriteString("## akscheck: The AKS Checklist\n\n")
	fmt.Fprintf(&b, "**Score %s** · **%d finding(s)**: %s\n\n", card.ScoreText(), card.FindingsTotal(), card.SeverityLine())
	fmt.Fprintf(&b, "%s\n\n", card.Headline())

	b.WriteString("### Scorecard\n\n")
	b.WriteString("| Section | Score | Pass | Fail | N/A | Not evaluated | Manual | Attested | Findings |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, s := range card.Sections {
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %d | %d | %d | %d |\n", esc(s.Title), scorecard.ScoreText(s.Score),
			s.Counts[report.StatusPass], s.Counts[report.StatusFail], s.Counts[report.StatusNotApplicable],
			s.Counts[report.StatusNotEvaluated], s.Counts[report.StatusManual], s.Counts[report.StatusAttested], s.Findings)
	}
	fmt.Fprintf(&b, "| **All %d items** | **%s** | **%d** | **%d** | **%d** | **%d** | **%d** | **%d** | **%d** |\n\n", card.Total, card.ScoreText(),
		card.Counts[report.StatusPass], card.Counts[report.StatusFail], card.Counts[report.StatusNotApplicable],
		card.Counts[report.StatusNotEvaluated], card.Counts[report.StatusManual], card.Counts[report.StatusAttested], card.FindingsTotal())

	if len(card.Missing) > 0 || len(card.Uncovered) > 0 || len(card.Manual) > 0 {
		b.WriteString("<details><summary>What the scan could not prove, and what would</summary>\n\n")
		for _, g := range card.Missing {
			fmt.Fprintf(&b, "- **%d item(s)**: %s\n", len(g.Items), esc(g.Reason))
		}
		if n := len(card.Uncovered); n > 0 {
			fmt.Fprintf(&b, "- **%d item(s)** are not covered by a check of this version.\n", n)
		}
		if n := len(card.Manual); n > 0 {
			fmt.Fprintf(&b, "- **%d item(s)** are manual: a person must look, or attest them.\n", n)
		}
		b.WriteString("\n</details>\n\n")
	}

	if len(rep.Findings) > 0 {
		sorted := append([]report.Finding(nil), rep.Findings...)
		sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Severity > sorted[j].Severity })
		if len(sorted) > top {
			sorted = sorted[:top]
		}
		fmt.Fprintf(&b, "### Top findings\n\n")
		b.WriteString(findingHeader)
		for _, f := range sorted {
			b.WriteString(findingRow(f))
			links.use(f.Check)
		}
		b.WriteString("\nHow to fix them:\n\n")
		seen := map[string]bool{}
		for _, f := range sorted {
			if f.Remediation != "" && !seen[f.Check] {
				seen[f.Check] = true
				fmt.Fprintf(&b, "- **%s**: %s\n", f.Check, esc(cut(f.Remediation)))
			}
		}
		b.WriteString("\n")
		writeFixes(&b, sorted, countFixes(rep.Findings))
	} else {
		b.WriteString("No findings.\n\n")
	}

	listed(&b, "Errors", len(rep.Errors), func(i int) string {
		e := rep.Errors[i]
		return esc(cut(report.FileLine(e.Source, e.Line))) + ": " + esc(cut(e.Message))
	})
	listed(&b, "Notices", len(rep.Notices), func(i int) string {
		n := rep.Notices[i]
		src := n.Source
		if src != "" && n.Line > 0 {
			src = fmt.Sprintf("%s:%d", n.Source, n.Line)
		}
		if src != "" {
			src = esc(cut(src)) + ": "
		}
		return src + esc(cut(n.Message))
	})

	if bl := rep.Baseline; bl != nil {
		fmt.Fprintf(&b, "### Baseline\n\n%d finding(s) recorded in %s are suppressed; %d recorded finding(s) are fixed.\n\n",
			bl.Suppressed, esc(cut(bl.Source)), len(bl.Fixed))
		for i, f := range bl.Fixed {
			if i == maxListed {
				fmt.Fprintf(&b, "- … and %d more fixed\n", len(bl.Fixed)-maxListed)
				break
			}
			fmt.Fprintf(&b, "- fixed: **%s** %s: %s\n", esc(f.Check), esc(cut(objectRef(f.Object, f.Container))), esc(cut(f.Message)))
		}
		if len(bl.Fixed) > 0 {
			b.WriteString("\n")
		}
	}

	if len(rep.Findings) > 0 {
		open := fmt.Sprintf("<details><summary>All %d finding(s)</summary>\n\n%s", len(rep.Findings), findingHeader)
		const closing = "\n</details>\n"
		const noteRoom = 300
		var rows strings.Builder
		shown := 0
		for _, f := range rep.Findings {
			row := findingRow(f)
			if b.Len()+len(open)+rows.Len()+len(row)+len(closing)+noteRoom+links.size()+links.cost(f.Check) >= limit {
				break
			}
			rows.WriteString(row)
			links.use(f.Check)
			shown++
		}
		if shown > 0 {
			b.WriteString(open)
			b.WriteString(rows.String())
			b.WriteString(closing)
		}
		if shown < len(rep.Findings) {
			fmt.Fprintf(&b, "\n> **Note:** %d of %d findings are not listed, to stay under GitHub's %d-character limit. "+
				"The JSON, SARIF or HTML report has them all.\n", len(rep.Findings)-shown, len(rep.Findings), Limit)
		}
	}
	b.WriteString(links.definitions())
	out := b.String()
	if len(out) >= limit {
		// Only reached with a tiny MaxBytes: cut at a character boundary and say so.
		const note = "\n\n> **Note:** summary cut to stay under the size limit.\n"
		keep := max(limit-len(note)-1, 0)
		for keep > 0 && !utf8.RuneStart(out[keep]) {
			keep--
		}
		out = out[:keep] + note
		if len(out) >= limit {
			out = out[:max(limit-1, 0)]
		}
	}
	return out
}

// listed writes a section of n list items (none when n is 0): the first maxListed, then how
// many more the JSON report holds.
func listed(b *strings.Builder, title string, n int, item func(i int) string) {
	if n == 0 {
		return
	}
	fmt.Fprintf(b, "### %s (%d)\n\n", title, n)
	for i := range n {
		if i == maxListed {
			fmt.Fprintf(b, "- … and %d more (see the JSON report)\n", n-maxListed)
			break
		}
		fmt.Fprintf(b, "- %s\n", item(i))
	}
	b.WriteString("\n")
}

const findingHeader = "| Severity | Check | Object | Location | Message |\n|---|---|---|---|---|\n"

// findingRow is one finding as a table row. The check links to its page through a reference
// ([id]) defined once at the end, so that long URLs are not repeated on every row.
func findingRow(f report.Finding) string {
	loc := f.Location.File
	if loc != "" && f.Location.Line > 0 {
		loc = fmt.Sprintf("%s:%d", loc, f.Location.Line)
	}
	return fmt.Sprintf("| %s | [%s] | %s | %s | %s |\n", severity(f.Severity), f.Check,
		esc(cut(objectRef(f.Object, f.Container))), esc(cut(loc)), esc(cut(f.Message)))
}

// linkDefs collects the link reference definitions of the checks the summary names.
type linkDefs struct {
	base  string
	order []string
	seen  map[string]bool
	bytes int
}

func (l *linkDefs) def(id string) string { return "[" + id + "]: " + docs.PageURL(l.base, id) + "\n" }

// cost is what naming the check adds to the definitions (0 when it is already there).
func (l *linkDefs) cost(id string) int {
	if l.seen[id] {
		return 0
	}
	return len(l.def(id))
}

func (l *linkDefs) use(id string) {
	if l.seen[id] {
		return
	}
	l.seen[id] = true
	l.order = append(l.order, id)
	l.bytes += len(l.def(id))
}

func (l *linkDefs) size() int { return l.bytes + 1 }

func (l *linkDefs) definitions() string {
	if len(l.order) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n")
	for _, id := range l.order {
		b.WriteString(l.def(id))
	}
	return b.String()
}

func severity(s check.Severity) string {
	if s >= check.High {
		return "**" + s.String() + "**"
	}
	return s.String()
}

func objectRef(o report.Object, container string) string {
	ref := o.Kind + "/"
	if o.Namespace != "" {
		ref += o.Namespace + "/"
	}
	ref += o.Name
	if container != "" {
		ref += " [" + container + "]"
	}
	return ref
}

// cut shortens a long value at a character boundary.
func cut(s string) string {
	if len(s) <= maxCell {
		return s
	}
	i := maxCell
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// esc makes scanned text inert in GitHub Markdown: no HTML, no links or emphasis, no table
// breaks, and no control, bidi or invisible character (sanitize.Text writes them as \x1b,
// \u202e, whose backslash the escaper then doubles so that Markdown shows it).
var escaper = strings.NewReplacer(
	"\\", "\\\\", "|", "\\|", "<", "&lt;", ">", "&gt;", "&", "&amp;", "`", "\\`", "*", "\\*", "_", "\\_",
	"[", "\\[", "]", "\\]", "#", "\\#", "!", "\\!",
)

func esc(s string) string { return escaper.Replace(sanitize.Text(s)) }
