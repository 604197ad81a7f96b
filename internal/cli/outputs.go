package cli

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/akscheck/akscheck/internal/baseline"
	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/docs"
	"github.com/akscheck/akscheck/internal/render/csvout"
	"github.com/akscheck/akscheck/internal/render/htmlout"
	"github.com/akscheck/akscheck/internal/render/jsonout"
	"github.com/akscheck/akscheck/internal/render/junit"
	"github.com/akscheck/akscheck/internal/render/markdown"
	"github.com/akscheck/akscheck/internal/render/sarif"
	"github.com/akscheck/akscheck/internal/render/table"
	"github.com/akscheck/akscheck/internal/render/yamlout"
	"github.com/akscheck/akscheck/internal/report"
)

// Formats are the report formats of -o, in the order help lists them.
var Formats = []string{"table", "json", "yaml", "sarif", "junit", "html", "markdown", "csv"}

// reportFlags are the flags of scan about what becomes of the report: its formats and files,
// the score gate and the baseline.
type reportFlags struct {
	outputs        []string
	failBelowScore float64
	baseline       string
	writeBaseline  string
	docsBaseURL    string
}

func (r *reportFlags) register(fl *pflag.FlagSet) {
	fl.StringArrayVarP(&r.outputs, "output", "o", nil,
		"report format, or FORMAT=FILE to write it to a file; repeatable, one run writes several (default table).\nFormats: "+
			strings.Join(Formats, ", ")+". Example: -o table -o sarif=results.sarif -o html=report.html")
	fl.Float64Var(&r.failBelowScore, "fail-below-score", 0, "exit 1 when the checklist score is below N (0-100), or when no item could be scored")
	fl.StringVar(&r.baseline, "baseline", "", "baseline file: findings recorded in it are reported as suppressed (suppressedBy: baseline), so only new findings fail")
	fl.StringVar(&r.writeBaseline, "write-baseline", "", "record the findings of this scan in a baseline file (before --baseline is applied)")
	fl.StringVar(&r.docsBaseURL, "docs-base-url", docs.DefaultBaseURL, "where the check pages are (<check-id>.md); SARIF, JUnit, HTML and Markdown link to them")
}

// output is one -o: a format and the file it goes to ("" for standard output).
type output struct {
	format string
	file   string
}

// parseOutputs reads the -o values. No value means the table on standard output; at most one
// format may go to standard output.
func parseOutputs(specs []string) ([]output, error) {
	if len(specs) == 0 {
		return []output{{format: "table"}}, nil
	}
	var outs []output
	stdout := ""
	for _, spec := range specs {
		format, file, hasFile := strings.Cut(spec, "=")
		format = strings.ToLower(strings.TrimSpace(format))
		if format == "md" {
			format = "markdown"
		}
		if !known(format) {
			return nil, fmt.Errorf("--output %q: want one of %s, optionally as FORMAT=FILE", spec, strings.Join(Formats, ", "))
		}
		if hasFile && file == "" {
			return nil, fmt.Errorf("--output %q: no file after =", spec)
		}
		if file == "-" {
			file = ""
		}
		if file == "" {
			if stdout != "" {
				return nil, fmt.Errorf("--output: %s and %s both go to standard output; give one of them a file (FORMAT=FILE)", stdout, format)
			}
			stdout = format
		}
		outs = append(outs, output{format: format, file: file})
	}
	return outs, nil
}

func known(format string) bool {
	for _, f := range Formats {
		if f == format {
			return true
		}
	}
	return false
}

// renderContext is what the renderers are given: the report with the catalog and the
// metadata of the checks that ran.
type renderContext struct {
	rep         *report.Report
	cat         *catalog.Catalog
	checks      []*check.Check
	docsBaseURL string
	noColor     bool
}

// writeOutputs renders the report in every requested format. Files are written whole or not
// at all: a rendering error leaves no half-written file.
func writeOutputs(stdout io.Writer, outs []output, rc renderContext) error {
	for _, o := range outs {
		if o.file == "" {
			if err := render(stdout, o.format, rc, !rc.noColor && isTerminal(stdout)); err != nil {
				return err
			}
			continue
		}
		var buf bytes.Buffer
		if err := render(&buf, o.format, rc, false); err != nil {
			return err
		}
		if err := os.WriteFile(o.file, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("writing the %s report: %w", o.format, err)
		}
	}
	return nil
}

func render(w io.Writer, format string, rc renderContext, color bool) error {
	switch format {
	case "json":
		return jsonout.Render(w, rc.rep)
	case "yaml":
		return yamlout.Render(w, rc.rep)
	case "sarif":
		return sarif.Render(w, rc.rep, rc.cat, rc.checks, sarif.Options{DocsBaseURL: rc.docsBaseURL})
	case "junit":
		return junit.Render(w, rc.rep, rc.cat, rc.checks, junit.Options{DocsBaseURL: rc.docsBaseURL})
	case "html":
		return htmlout.Render(w, rc.rep, rc.cat, rc.checks, htmlout.Options{DocsBaseURL: rc.docsBaseURL})
	case "markdown":
		return markdown.Render(w, rc.rep, rc.cat, markdown.Options{DocsBaseURL: rc.docsBaseURL})
	case "csv":
		return csvout.Render(w, rc.rep)
	}
	return table.Render(w, rc.rep, rc.cat, table.Options{Color: color})
}

// applyBaseline writes the baseline of the engine's findings (--write-baseline), then compares
// them with a recorded one (--baseline).
func (r *reportFlags) applyBaseline(rep *report.Report, cat *catalog.Catalog) error {
	if r.writeBaseline != "" {
		if err := baseline.WriteFile(r.writeBaseline, baseline.New(rep, cat)); err != nil {
			return &exitError{code: ExitUsage, err: err}
		}
	}
	if r.baseline != "" {
		b, err := baseline.ReadFile(r.baseline)
		if err != nil {
			return &exitError{code: ExitUsage, err: err}
		}
		baseline.Apply(rep, b, r.baseline, cat)
		rep.Summarize()
	}
	return nil
}

// validate checks the values of the flags before anything is read.
func (r *reportFlags) validate() error {
	if r.failBelowScore < 0 || r.failBelowScore > 100 || math.IsNaN(r.failBelowScore) {
		return usageErr("--fail-below-score %v: want a score from 0 to 100", r.failBelowScore)
	}
	return nil
}

// gate adds the score gate to the exit decided from the findings: a usage error stays one; a
// score below --fail-below-score exits 1 and says why.
func (r *reportFlags) gate(cmd *cobra.Command, rep *report.Report, exit error) error {
	if exit != nil {
		if ee, ok := exit.(*exitError); ok && ee.code == ExitUsage {
			return exit
		}
	}
	if !cmd.Flags().Changed("fail-below-score") {
		return exit
	}
	want := r.failBelowScore
	switch s := rep.Summary.Score; {
	case s == nil:
		fmt.Fprintf(cmd.ErrOrStderr(), "akscheck: no checklist item could be scored; --fail-below-score %g fails\n", want)
	case *s < want:
		fmt.Fprintf(cmd.ErrOrStderr(), "akscheck: checklist score %.1f is below --fail-below-score %g\n", *s, want)
	default:
		return exit
	}
	return &exitError{code: ExitFindings}
}
