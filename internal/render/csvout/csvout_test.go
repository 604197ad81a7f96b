package csvout

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/render/fixtext/fixtest"
	"github.com/akscheck/akscheck/internal/report"
)

func TestOneRowPerFinding(t *testing.T) {
	t.Parallel()
	rep := &report.Report{
		Findings: []report.Finding{
			{Check: "a", Item: "dev.x", Severity: check.High, Message: "=HYPERLINK(\"http://x\")", Remediation: "Fix, \"quoted\".\nTwo lines.",
				Object: report.Object{APIVersion: "v1", Kind: "Pod", Namespace: "ns", Name: "@p"}, Container: "c",
				Location: report.Location{File: "f.yaml", Line: 3, Path: "spec"}},
			{Check: "b", Item: "dev.y", Severity: check.Low, Message: "m",
				Related: []report.Related{{Kind: "Deployment", Namespace: "ns", Name: "d", Container: "c"}}},
		},
		Suppressed: []report.Finding{{Check: "c", Item: "dev.z", Message: "-1", SuppressedBy: report.SuppressedByBaseline}},
	}
	var buf bytes.Buffer
	if err := Render(&buf, rep); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v", err)
	}
	if len(rows) != 4 || strings.Join(rows[0], ",") != strings.Join(Columns, ",") {
		t.Fatalf("rows: %q", rows)
	}
	col := func(name string) int {
		for i, c := range Columns {
			if c == name {
				return i
			}
		}
		t.Fatalf("no column %s", name)
		return -1
	}
	first := rows[1]
	if first[col("message")] != `'=HYPERLINK("http://x")` || first[col("object.name")] != "'@p" {
		t.Errorf("formulas are not defused: %q", first)
	}
	if first[col("remediation")] != "Fix, \"quoted\".\nTwo lines." || first[col("location.line")] != "3" || first[col("severity")] != "high" {
		t.Errorf("first row: %q", first)
	}
	if rows[2][col("related")] != `[{"kind":"Deployment","namespace":"ns","name":"d","container":"c"}]` || rows[2][col("location.line")] != "" {
		t.Errorf("second row: %q", rows[2])
	}
	if rows[3][col("suppressedBy")] != "baseline" || rows[3][col("message")] != "'-1" {
		t.Errorf("suppressed row: %q", rows[3])
	}
}

// TestFixColumn: the fix is the last column, as JSON (credentials withheld, unsafe characters
// as JSON escapes), empty for a finding without one; the columns before it keep their places.
func TestFixColumn(t *testing.T) {
	t.Parallel()
	rep, _ := fixtest.Report()
	var buf bytes.Buffer
	if err := Render(&buf, rep); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	last := len(Columns) - 1
	if Columns[last] != "fix" || Columns[14] != "suppressedBy" {
		t.Fatalf("columns %q", Columns)
	}
	for i, f := range rep.Findings {
		cell := rows[i+1][last]
		if f.Fix == nil {
			if cell != "" {
				t.Errorf("%s: fix %q without a fix", f.Check, cell)
			}
			continue
		}
		var back report.Fix
		if err := json.Unmarshal([]byte(cell), &back); err != nil {
			t.Errorf("%s: the fix cell is not JSON: %v", f.Check, err)
			continue
		}
		if back.Input != f.Fix.Input || back.Line != f.Fix.Line || len(back.Edits) != len(f.Fix.Edits) || back.Provider != f.Fix.Provider {
			t.Errorf("%s: the fix cell reads back as %+v", f.Check, back)
		}
	}
	out := buf.String()
	for _, bad := range []string{"AccountKey=", "s3cr3t", "\x1b", "\u202e"} {
		if strings.Contains(out, bad) {
			t.Errorf("the CSV carries %q", bad)
		}
	}
}
