package planout

import (
	"fmt"
	"io"
	"strings"

	"github.com/akscheck/akscheck/internal/render/sanitize"
	"github.com/akscheck/akscheck/internal/upgrade"
)

// Table writes the plan for people: the verdict first, then the checklist.
func Table(w io.Writer, p *upgrade.Plan) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Upgrade plan for %s: Kubernetes %s → %s (target from %s)\n", clusterName(p), current(p), p.Target, p.TargetFrom)
	fmt.Fprintf(&b, "Path: %s\n", pathLine(p))
	fmt.Fprintf(&b, "Verdict: %s\n", verdictLine(p))
	for i, s := range p.Sections {
		fmt.Fprintf(&b, "\n%d. %s [%s]\n", i+1, s.Title, s.Status)
		if s.Reason != "" {
			fmt.Fprintf(&b, "   (%s)\n", s.Reason)
		}
		for _, f := range s.Findings {
			fmt.Fprintf(&b, "   %-8s %-8s %s\n", kind(f), f.Severity, sanitize.Text(f.Message))
			if wh := where(f); wh != "" {
				fmt.Fprintf(&b, "            at %s\n", wh)
			}
		}
	}
	for _, e := range p.Errors {
		fmt.Fprintf(&b, "\nerror: %s: %s\n", sanitize.Text(e.Source), sanitize.Text(e.Message))
	}
	fmt.Fprintf(&b, "\nVersion data: %s (as of %s)\n", p.Data.Source, orDash(p.Data.AsOf))
	_, err := io.WriteString(w, b.String())
	return err
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// mdEscaper makes scanned text inert in GitHub Markdown (as render/markdown does).
var mdEscaper = strings.NewReplacer(
	"\\", "\\\\", "|", "\\|", "<", "&lt;", ">", "&gt;", "&", "&amp;", "`", "\\`", "*", "\\*", "_", "\\_",
	"[", "\\[", "]", "\\]", "#", "\\#", "!", "\\!",
)

func md(s string) string { return mdEscaper.Replace(sanitize.Text(s)) }

// Markdown writes the plan for pull request comments and job summaries.
func Markdown(w io.Writer, p *upgrade.Plan) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## Upgrade plan: %s → %s\n\n", md(current(p)), md(p.Target))
	fmt.Fprintf(&b, "**%s** for %s (target from %s)\n\n", md(verdictLine(p)), md(clusterName(p)), p.TargetFrom)
	if len(p.Path) > 0 {
		b.WriteString("| step | patch | support | end of life |\n|---|---|---|---|\n")
		for _, s := range p.Path {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", md(s.Version), md(orDash(s.Patch)), s.Support, orDash(s.EndOfLife))
		}
		b.WriteString("\n")
	}
	b.WriteString("| # | checklist | status | findings |\n|---|---|---|---|\n")
	for i, s := range p.Sections {
		fmt.Fprintf(&b, "| %d | %s | %s | %d |\n", i+1, s.Title, s.Status, len(s.Findings))
	}
	for _, s := range p.Sections {
		if len(s.Findings) == 0 && s.Reason == "" {
			continue
		}
		fmt.Fprintf(&b, "\n### %s\n\n", s.Title)
		if s.Reason != "" {
			fmt.Fprintf(&b, "_%s_\n\n", md(s.Reason))
		}
		if len(s.Findings) == 0 {
			continue
		}
		b.WriteString("| | severity | finding | where |\n|---|---|---|---|\n")
		for _, f := range s.Findings {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", kind(f), f.Severity, md(f.Message), md(where(f)))
		}
	}
	if len(p.Errors) > 0 {
		b.WriteString("\n### Inputs that could not be read\n\n")
		for _, e := range p.Errors {
			fmt.Fprintf(&b, "- %s: %s\n", md(e.Source), md(e.Message))
		}
	}
	fmt.Fprintf(&b, "\n<sub>Version data: %s (as of %s). akscheck %s</sub>\n", md(p.Data.Source), orDash(p.Data.AsOf), md(p.Tool.Version))
	_, err := io.WriteString(w, b.String())
	return err
}
