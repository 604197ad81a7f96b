// Package render is the table of report formats: one entry per format drives the validation
// of -o, its shell completion and help text, and the dispatch to the renderer. Renderers only
// render: they take the report with the catalog and the checks' metadata.
package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/render/csvout"
	"github.com/akscheck/akscheck/internal/render/fleet"
	"github.com/akscheck/akscheck/internal/render/htmlout"
	"github.com/akscheck/akscheck/internal/render/jsonout"
	"github.com/akscheck/akscheck/internal/render/junit"
	"github.com/akscheck/akscheck/internal/render/markdown"
	"github.com/akscheck/akscheck/internal/render/sanitize"
	"github.com/akscheck/akscheck/internal/render/sarif"
	"github.com/akscheck/akscheck/internal/render/table"
	"github.com/akscheck/akscheck/internal/render/yamlout"
	"github.com/akscheck/akscheck/internal/report"
)

// Context is what a renderer is given: the report with the catalog and the metadata of the
// checks that ran.
type Context struct {
	Report  *report.Report
	Catalog *catalog.Catalog
	Checks  []*check.Check
	// DocsBaseURL is where the check pages are (SARIF, JUnit, HTML and Markdown link them).
	DocsBaseURL string
	// Color colours the table (a terminal that wants colours).
	Color bool
	// Width is the terminal's width, which the table fits (0: no limit).
	Width int
}

// Format is one report format.
type Format struct {
	Name string
	// Aliases are other names -o accepts for it.
	Aliases []string
	// Help says what the format is for, in completion and help.
	Help string
	// Terminal formats are for people at a terminal: on one they get colours and its width.
	Terminal bool
	Render   func(w io.Writer, c Context) error
	// Stream writes one cluster's report, already rendered, among several on standard
	// output; nil means the format holds one report per file, so several clusters need
	// FORMAT=FILE (a file per cluster).
	Stream func(w io.Writer, cluster string, rendered []byte) error
	// Fleet ends a stream of several clusters' reports with the fleet's summary; nil means
	// no summary.
	Fleet func(w io.Writer, clusters []fleet.Cluster) error
}

// Formats returns every format, in the order help lists them.
func Formats() []Format {
	return []Format{
		{Name: "table", Help: "a table grouped by checklist section, for people (fitted to the terminal)", Terminal: true,
			Render: func(w io.Writer, c Context) error {
				// Off a terminal (no width to fit) the table is the wide one, fixes included:
				// a CI log has room for them.
				return table.Render(w, c.Report, c.Catalog, table.Options{Color: c.Color, Width: c.Width, Fixes: c.Width == 0})
			},
			Stream: func(w io.Writer, cluster string, rendered []byte) error {
				_, err := fmt.Fprintf(w, "\n== %s\n\n%s", sanitize.Text(cluster), rendered)
				return err
			},
			Fleet: fleet.Table},
		{Name: "wide", Help: "the table with every object, location and message whole, however wide, and each finding's fix", Terminal: true,
			Render: func(w io.Writer, c Context) error {
				return table.Render(w, c.Report, c.Catalog, table.Options{Color: c.Color, Fixes: true})
			}},
		{Name: "json", Help: "the JSON report (the contract: docs/report.schema.json)",
			Render: func(w io.Writer, c Context) error { return jsonout.Render(w, c.Report) },
			// JSON Lines: one report per line, then the fleet summary's line.
			Stream: func(w io.Writer, _ string, rendered []byte) error { return CompactLine(w, rendered) },
			Fleet:  fleet.JSON},
		{Name: "jsonl", Help: "the JSON report on one line, for log collectors (an in-cluster CronJob)",
			Render: func(w io.Writer, c Context) error {
				var pretty bytes.Buffer
				if err := jsonout.Render(&pretty, c.Report); err != nil {
					return err
				}
				return CompactLine(w, pretty.Bytes())
			},
			Stream: func(w io.Writer, _ string, rendered []byte) error {
				_, err := w.Write(rendered)
				return err
			},
			Fleet: fleet.JSON},
		{Name: "yaml", Help: "the JSON report as YAML",
			Render: func(w io.Writer, c Context) error { return yamlout.Render(w, c.Report) },
			Stream: func(w io.Writer, _ string, rendered []byte) error {
				_, err := fmt.Fprintf(w, "---\n%s", rendered)
				return err
			}},
		{Name: "sarif", Help: "SARIF 2.1.0, for code scanning",
			Render: func(w io.Writer, c Context) error {
				return sarif.Render(w, c.Report, c.Catalog, c.Checks, sarif.Options{DocsBaseURL: c.DocsBaseURL})
			}},
		{Name: "junit", Help: "JUnit XML, for CI test reports",
			Render: func(w io.Writer, c Context) error {
				return junit.Render(w, c.Report, c.Catalog, c.Checks, junit.Options{DocsBaseURL: c.DocsBaseURL})
			}},
		{Name: "html", Help: "a self-contained HTML report",
			Render: func(w io.Writer, c Context) error {
				return htmlout.Render(w, c.Report, c.Catalog, c.Checks, htmlout.Options{DocsBaseURL: c.DocsBaseURL})
			}},
		{Name: "markdown", Aliases: []string{"md"}, Help: "Markdown, for pull request comments and job summaries",
			Render: func(w io.Writer, c Context) error {
				return markdown.Render(w, c.Report, c.Catalog, markdown.Options{DocsBaseURL: c.DocsBaseURL})
			}},
		{Name: "csv", Help: "one finding per row, for spreadsheets",
			Render: func(w io.Writer, c Context) error { return csvout.Render(w, c.Report) }},
	}
}

// CompactLine writes a JSON document as one line (the jsonl formats of the report and the plan).
func CompactLine(w io.Writer, doc []byte) error {
	var line bytes.Buffer
	if err := json.Compact(&line, doc); err != nil {
		return err
	}
	line.WriteByte('\n')
	_, err := w.Write(line.Bytes())
	return err
}

// Names returns the formats' names, in the order help lists them.
func Names() []string {
	fs := Formats()
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name
	}
	return out
}

// Lookup finds a format by name or alias, ignoring case and surrounding spaces.
func Lookup(name string) (Format, bool) {
	return LookupIn(Formats(), name, func(f Format) (string, []string) { return f.Name, f.Aliases })
}

// LookupIn finds a format of any format list (the report's, the upgrade plan's) by name or
// alias, ignoring case and surrounding spaces: one rule for every -o.
func LookupIn[F any](formats []F, name string, names func(F) (string, []string)) (F, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, f := range formats {
		n, aliases := names(f)
		if n == name || slices.Contains(aliases, name) {
			return f, true
		}
	}
	var none F
	return none, false
}
