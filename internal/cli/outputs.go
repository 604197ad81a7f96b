package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/akscheck/akscheck/internal/docs"
	"github.com/akscheck/akscheck/internal/render"
	"github.com/akscheck/akscheck/internal/report"
)

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
			strings.Join(render.Names(), ", ")+". Example: -o table -o sarif=results.sarif -o html=report.html")
	fl.Float64Var(&r.failBelowScore, "fail-below-score", 0, "exit 1 when the checklist score is below N (0-100), or when no item could be scored")
	fl.StringVar(&r.baseline, "baseline", "", "baseline file: findings recorded in it are reported as suppressed (suppressedBy: baseline), so only new findings fail")
	fl.StringVar(&r.writeBaseline, "write-baseline", "", "record the findings of this scan in a baseline file (before --baseline is applied)")
	fl.StringVar(&r.docsBaseURL, "docs-base-url", docs.DefaultBaseURL, "where the check pages are (<check-id>.md); SARIF, JUnit, HTML and Markdown link to them")
}

// output is one -o: a format and the file it goes to ("" for standard output).
type output struct {
	format render.Format
	file   string
}

// parseOutputs reads the -o values. No value means the table on standard output; at most one
// format may go to standard output.
func parseOutputs(specs []string) ([]output, error) {
	if len(specs) == 0 {
		table, _ := render.Lookup("table")
		return []output{{format: table}}, nil
	}
	var outs []output
	stdout := ""
	for _, spec := range specs {
		name, file, hasFile := strings.Cut(spec, "=")
		format, ok := render.Lookup(name)
		if !ok {
			return nil, fmt.Errorf("--output %q: want one of %s, optionally as FORMAT=FILE", spec, strings.Join(render.Names(), ", "))
		}
		if hasFile && file == "" {
			return nil, fmt.Errorf("--output %q: no file after =", spec)
		}
		if file == "-" {
			file = ""
		}
		if file == "" {
			if stdout != "" {
				return nil, fmt.Errorf("--output: %s and %s both go to standard output; give one of them a file (FORMAT=FILE)", stdout, format.Name)
			}
			stdout = format.Name
		}
		outs = append(outs, output{format: format, file: file})
	}
	return outs, nil
}

// formatsHelp lists the formats with what each is for, for scan's help.
func formatsHelp() string {
	var b strings.Builder
	for _, f := range render.Formats() {
		fmt.Fprintf(&b, "  %-9s %s\n", f.Name, f.Help)
	}
	return strings.TrimRight(b.String(), "\n")
}

// completeOutputs completes -o with the formats and what each is for.
func completeOutputs(_ *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	var out []string
	for _, f := range render.Formats() {
		out = append(out, f.Name+"\t"+f.Help)
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// writeOutputs renders the report in every requested format; the table is coloured on a
// terminal unless noColor. Files are written whole or not at all: a rendering error leaves
// no half-written file.
func writeOutputs(stdout io.Writer, outs []output, rc render.Context, noColor bool) error {
	for _, o := range outs {
		rc.Color, rc.Width = false, 0
		if o.file == "" {
			if o.format.Terminal {
				rc.Color = !noColor && isTerminal(stdout)
				rc.Width = terminalWidth(stdout)
			}
			if err := o.format.Render(stdout, rc); err != nil {
				return err
			}
			continue
		}
		var buf bytes.Buffer
		if err := o.format.Render(&buf, rc); err != nil {
			return err
		}
		if err := os.WriteFile(o.file, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("writing the %s report: %w", o.format.Name, err)
		}
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
	var ee *exitError
	if errors.As(exit, &ee) && (ee.code == ExitUsage || ee.code == ExitPartial) {
		return exit
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
