// Package csvout renders the findings as CSV for spreadsheets: one row per finding, with the
// fields of the JSON finding as columns. Scanned values have their control, bidi and invisible
// characters escaped (sanitize.Text) and cannot start a formula. Suppressed findings follow, with their suppressedBy.
package csvout

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/akscheck/akscheck/internal/render/fixtext"
	"github.com/akscheck/akscheck/internal/render/sanitize"
	"github.com/akscheck/akscheck/internal/report"
)

// Columns are the header of the CSV, the JSON finding's field paths. A column added later
// goes at the end (fix was), so that readers by position keep reading the columns they know.
var Columns = []string{
	"check", "item", "severity", "message", "remediation",
	"object.apiVersion", "object.kind", "object.namespace", "object.name", "container",
	"location.file", "location.line", "location.path", "related", "suppressedBy", "fix",
}

// Render writes the findings, then the suppressed findings, as CSV.
func Render(w io.Writer, rep *report.Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Columns); err != nil {
		return fmt.Errorf("writing CSV: %w", err)
	}
	for _, list := range [][]report.Finding{rep.Findings, rep.Suppressed} {
		for _, f := range list {
			if err := cw.Write(row(f)); err != nil {
				return fmt.Errorf("writing CSV: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("writing CSV: %w", err)
	}
	return nil
}

// Indexes of Columns that are not names.
const (
	messageColumn     = 3
	remediationColumn = 4
	relatedColumn     = 13
	fixColumn         = 15
)

// row is a finding's cells: control, bidi and invisible characters escaped (sanitize.Text),
// and no cell a spreadsheet would read as a formula.
func row(f report.Finding) []string {
	line := ""
	if f.Location.Line > 0 {
		line = strconv.Itoa(f.Location.Line)
	}
	related := ""
	if len(f.Related) > 0 {
		b, _ := json.Marshal(f.Related) // plain strings always marshal
		related = string(sanitize.JSON(b))
	}
	fix := ""
	if f.Fix != nil {
		// As in SARIF's properties: the fix as the JSON report has it, credentials withheld.
		b, err := json.Marshal(fixtext.Redacted(f.Fix))
		if err == nil {
			fix = string(sanitize.JSON(b))
		}
	}
	cells := []string{
		f.Check, f.Item, f.Severity.String(), f.Message, f.Remediation,
		f.Object.APIVersion, f.Object.Kind, f.Object.Namespace, f.Object.Name, f.Container,
		f.Location.File, line, f.Location.Path, related, f.SuppressedBy, fix,
	}
	for i, c := range cells {
		switch i {
		case messageColumn, remediationColumn: // text of several lines, which a cell can hold
			c = sanitize.Lines(c)
		case relatedColumn, fixColumn: // JSON, whose unsafe characters are JSON escapes already
		default:
			c = sanitize.Text(c)
		}
		cells[i] = defuse(c)
	}
	return cells
}

// defuse keeps a spreadsheet from reading a scanned value as a formula (CSV injection): a cell
// that starts with =, +, -, @, a tab or a carriage return gets a leading apostrophe, which
// spreadsheets show as text.
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
