package markdown

import (
	"fmt"
	"strings"

	"github.com/akscheck/akscheck/internal/render/fixtext"
	"github.com/akscheck/akscheck/internal/render/sanitize"
	"github.com/akscheck/akscheck/internal/report"
)

const (
	// maxFixLines is how many lines of a fix's edits are shown before "and N more".
	maxFixLines = 10
	// fixBudget is the share of the summary the fixes may take (bytes), so that the list of
	// all findings keeps its room under the limit.
	fixBudget = Limit / 4
)

// writeFixes writes the fixes of the top findings that carry one: the check, object, input
// and file:line as escaped text, then the command and the edits each in a fenced code block
// (copyable, and inert: nothing in a code block is markup), then the note. A fix past the
// budget is counted instead.
func writeFixes(b *strings.Builder, top []report.Finding, total int) {
	shown, with := 0, 0
	var blocks strings.Builder
	for _, f := range top {
		v := fixtext.Of(f.Fix)
		if v.Empty() {
			continue
		}
		with++
		block := fixBlock(f, v)
		if blocks.Len()+len(block) > fixBudget {
			continue
		}
		blocks.WriteString(block)
		shown++
	}
	if with == 0 {
		return
	}
	b.WriteString("Exact fixes, in the form of each input:\n\n")
	b.WriteString(blocks.String())
	if rest := total - shown; rest > 0 {
		fmt.Fprintf(b, "%d more finding(s) carry a fix: the HTML, SARIF or JSON report has them all.\n\n", rest)
	}
}

// fixBlock is one finding's fix.
func fixBlock(f report.Finding, v fixtext.View) string {
	var b strings.Builder
	head := "**" + esc(f.Check) + "** " + esc(cut(objectRef(f.Object, f.Container)))
	if v.Where != "" {
		head += " at " + esc(cut(v.Where))
	}
	fmt.Fprintf(&b, "%s (%s):\n\n", head, esc(v.Input))
	if v.Command != "" {
		b.WriteString(fenced("sh", []string{v.Command}))
	}
	if len(v.Edits) > 0 {
		edits := v.Edits
		if len(edits) > maxFixLines {
			edits = append(edits[:maxFixLines:maxFixLines], fmt.Sprintf("# … and %d more edits (see the JSON report)", len(v.Edits)-maxFixLines))
		}
		b.WriteString(fenced(v.Lang, edits))
	}
	if v.Note != "" {
		fmt.Fprintf(&b, "> **Note:** %s\n\n", esc(cut(v.Note)))
	}
	return b.String()
}

// fenced writes lines as a fenced code block. Each line is escaped (sanitize.Text: no
// newline, control or bidi character can end the line or reorder it) and cut; the fence is
// longer than any run of backticks in the lines, so no value can close it (CommonMark: a
// closing fence is at least as long as the opening one).
func fenced(lang string, lines []string) string {
	safe := make([]string, len(lines))
	longest := 0
	for i, l := range lines {
		safe[i] = cut(sanitize.Text(l))
		run := 0
		for _, r := range safe[i] {
			if r == '`' {
				run++
				longest = max(longest, run)
			} else {
				run = 0
			}
		}
	}
	fence := strings.Repeat("`", max(3, longest+1))
	return fence + lang + "\n" + strings.Join(safe, "\n") + "\n" + fence + "\n\n"
}

// countFixes is the number of findings that carry a fix.
func countFixes(fs []report.Finding) int {
	n := 0
	for _, f := range fs {
		if !fixtext.Of(f.Fix).Empty() {
			n++
		}
	}
	return n
}
