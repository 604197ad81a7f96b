// Package planout renders an upgrade plan (internal/upgrade) in the formats of scan's report:
// table, JSON (docs/upgrade-plan.schema.json), YAML, SARIF, JUnit, HTML, Markdown and CSV.
// Like every renderer it only renders: values read from the inputs go through
// render/sanitize, as in the report's renderers.
package planout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/render"
	"github.com/akscheck/akscheck/internal/render/sanitize"
	"github.com/akscheck/akscheck/internal/render/yamlout"
	"github.com/akscheck/akscheck/internal/upgrade"
)

// Format is one format of the plan.
type Format struct {
	Name    string
	Aliases []string
	Render  func(w io.Writer, p *upgrade.Plan) error
}

// Formats returns the plan's formats, named as scan's (-o).
func Formats() []Format {
	return []Format{
		{Name: "table", Aliases: []string{"wide"}, Render: Table},
		{Name: "json", Render: JSON},
		{Name: "jsonl", Render: func(w io.Writer, p *upgrade.Plan) error {
			var buf bytes.Buffer
			if err := JSON(&buf, p); err != nil {
				return err
			}
			return render.CompactLine(w, buf.Bytes())
		}},
		{Name: "yaml", Render: YAML},
		{Name: "sarif", Render: SARIF},
		{Name: "junit", Render: JUnit},
		{Name: "html", Render: HTML},
		{Name: "markdown", Aliases: []string{"md"}, Render: Markdown},
		{Name: "csv", Render: CSV},
	}
}

// Lookup finds a format by name or alias, ignoring case, as scan's -o does.
func Lookup(name string) (Format, bool) {
	return render.LookupIn(Formats(), name, func(f Format) (string, []string) { return f.Name, f.Aliases })
}

// JSON writes the plan as its JSON contract.
func JSON(w io.Writer, p *upgrade.Plan) error {
	doc, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("writing the JSON plan: %w", err)
	}
	doc = append(sanitize.JSON(doc), '\n')
	_, err = w.Write(doc)
	return err
}

// YAML writes the JSON plan as YAML.
func YAML(w io.Writer, p *upgrade.Plan) error {
	doc, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("writing the YAML plan: %w", err)
	}
	return yamlout.FromJSON(w, doc)
}

// verdictLine says the verdict in words.
func verdictLine(p *upgrade.Plan) string {
	switch p.Verdict {
	case upgrade.NoGo:
		return fmt.Sprintf("NO-GO: %d blocker(s), %d warning(s)", p.Summary.Blockers, p.Summary.Warnings)
	case upgrade.GoWithWarnings:
		return fmt.Sprintf("GO WITH WARNINGS: %d warning(s)", p.Summary.Warnings)
	}
	return "GO: nothing blocks the upgrade"
}

// kind says what a finding means for the verdict.
func kind(f upgrade.Finding) string {
	switch {
	case f.Blocking:
		return "blocker"
	case f.Severity > check.Info:
		return "warning"
	}
	return "info"
}

// where is the object and location of a finding, for the human formats.
func where(f upgrade.Finding) string {
	var parts []string
	if f.Object.Kind != "" {
		o := f.Object.Kind + " "
		if f.Object.Namespace != "" {
			o += f.Object.Namespace + "/"
		}
		parts = append(parts, o+f.Object.Name)
	}
	if f.Location.File != "" {
		l := f.Location.File
		if f.Location.Line > 0 {
			l += fmt.Sprintf(":%d", f.Location.Line)
		}
		parts = append(parts, l)
	}
	return sanitize.Text(strings.Join(parts, " "))
}

// pathLine is the path as one line: 1.33 (lts-only, 1.33.5) → 1.34 (supported).
func pathLine(p *upgrade.Plan) string {
	if len(p.Path) == 0 {
		return "none (already on the target)"
	}
	var steps []string
	for _, s := range p.Path {
		d := s.Support
		if s.EndOfLife != "" {
			d += ", end of life " + s.EndOfLife
		}
		if s.Patch != "" {
			d = s.Patch + ", " + d
		}
		steps = append(steps, s.Version+" ("+d+")")
	}
	return strings.Join(steps, " → ")
}

func current(p *upgrade.Plan) string {
	if p.Cluster == nil || p.Cluster.Current == "" {
		return "unknown"
	}
	return sanitize.Text(p.Cluster.Current)
}

func clusterName(p *upgrade.Plan) string {
	if p.Cluster == nil || p.Cluster.Name == "" {
		return "(no cluster in the inputs)"
	}
	return sanitize.Text(p.Cluster.Name)
}
