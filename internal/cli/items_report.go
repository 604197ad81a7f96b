package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/akscheck/akscheck/internal/render/sanitize"
	"github.com/akscheck/akscheck/internal/render/scorecard"
	"github.com/akscheck/akscheck/internal/render/table"
	"github.com/akscheck/akscheck/internal/report"
)

// itemsOfReport shows the items of a JSON report: the scorecard, then every item by section
// with its status, its findings and why it was not evaluated. The report is an input like any
// other: its strings are escaped for the terminal (sanitize.Text).
func (a *app) itemsOfReport(cmd *cobra.Command, path, output string) error {
	if output != "table" && output != "json" {
		return usageErr("--output %q: want table or json", output)
	}
	rep, err := readReport(a.io.In, path)
	if err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	out := cmd.OutOrStdout()
	if output == "json" {
		return writeJSON(out, rep.Items)
	}
	if err := table.Scorecard(out, rep, a.catalog, table.Options{Color: isTerminal(out)}); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	section := ""
	for _, it := range rep.Items {
		if it.Section != section {
			section = it.Section
			fmt.Fprintf(tw, "\n%s\t\t\t\n  ITEM\tSTATUS\tFINDINGS\tWHY\n", sanitize.Text(a.catalog.SectionTitle(section)))
		}
		findings := "-"
		if it.Status == report.StatusFail || it.Findings > 0 {
			findings = fmt.Sprint(it.Findings)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", sanitize.Text(it.ID), sanitize.Text(scorecard.Label(it.Status)), findings, sanitize.Text(oneLine(it.Reason)))
	}
	return tw.Flush()
}

// maxReportSize bounds the report items --report reads.
const maxReportSize = 512 << 20

// readReport reads a JSON or YAML report written by akscheck scan (path "-" is standard
// input).
func readReport(stdin io.Reader, path string) (*report.Report, error) {
	r := stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("reading report: %w", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxReportSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading report %s: %w", path, err)
	}
	if len(data) > maxReportSize {
		return nil, fmt.Errorf("reading report %s: larger than %d MiB", path, maxReportSize>>20)
	}
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] != '{' {
		// -o yaml: the same document.
		if data, err = yaml.YAMLToJSON(data); err != nil {
			return nil, fmt.Errorf("reading report %s: neither JSON nor YAML: %w", path, err)
		}
	}
	var rep report.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("reading report %s: %w", path, err)
	}
	if rep.SchemaVersion != report.SchemaVersion || len(rep.Items) == 0 {
		return nil, fmt.Errorf("reading report %s: not an akscheck JSON report (schemaVersion %q, %d items)", path, rep.SchemaVersion, len(rep.Items))
	}
	if rep.Summary.Items == nil {
		rep.Summary.Items = map[string]int{}
	}
	if rep.Summary.Findings == nil {
		rep.Summary.Findings = map[string]int{}
	}
	return &rep, nil
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
