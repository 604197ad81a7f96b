package table

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/testutil/scantest"
)

func examplesReport(t *testing.T) (*report.Report, *catalog.Catalog) {
	t.Helper()
	return scantest.Run(t, engine.Options{}, "../../../examples")
}

// TestCustomItemsAndNotices checks that a finding of a config's custom item is shown under the
// section the config names, and that notices are printed.
func TestCustomItemsAndNotices(t *testing.T) {
	t.Parallel()
	cat, err := catalog.MustLoad().With(catalog.Item{ID: "custom.no-host-port", Title: "No host ports", SectionID: "network",
		Evidence: []catalog.Evidence{catalog.Manifest}})
	if err != nil {
		t.Fatal(err)
	}
	rep := &report.Report{
		Findings: []report.Finding{{Check: "no-host-port", Item: "custom.no-host-port", Severity: check.High,
			Message: "web binds a port of the node", Object: report.Object{Kind: "Deployment", Name: "web"}}},
		Items:   []report.Item{{ID: "custom.no-host-port", Section: "network", Status: report.StatusFail, Findings: 1}},
		Notices: []report.Notice{{Source: ".akscheck.yaml", Line: 4, Message: "exemption of replicas expired on 2026-01-01"}},
		Summary: report.Summary{Findings: map[string]int{"high": 1}, Items: map[string]int{"fail": 1}},
	}
	var b bytes.Buffer
	if err := Render(&b, rep, cat, Options{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	network := strings.Index(out, "Network")
	if network < 0 || !strings.Contains(out[network:], "web binds a port of the node") {
		t.Errorf("the custom item's finding is not under Network:\n%s", out)
	}
	if !strings.Contains(out, ".akscheck.yaml:4: exemption of replicas expired on 2026-01-01") {
		t.Errorf("notice not printed:\n%s", out)
	}
}

// TestFitsTheTerminal: at 100 columns, coloured, every line of the findings tables fits and
// every column starts where its header does (colour codes take no room on screen); without a
// width nothing is shortened.
func TestFitsTheTerminal(t *testing.T) {
	t.Parallel()
	rep, cat := examplesReport(t)
	var buf bytes.Buffer
	if err := Render(&buf, rep, cat, Options{Color: true, Width: 100}); err != nil {
		t.Fatal(err)
	}
	ansi := regexp.MustCompile("\x1b\\[[0-9;]*m")
	var header string
	var tables, rows int
	for _, line := range strings.Split(ansi.ReplaceAllString(buf.String(), ""), "\n") {
		if strings.HasPrefix(line, "  SEVERITY  ") {
			header, tables = line, tables+1
			continue
		}
		if header == "" || !strings.HasPrefix(line, "  ") {
			header = ""
			continue
		}
		rows++
		if n := len([]rune(line)); n > 100 {
			t.Errorf("%d columns: %q", n, line)
		}
		r := []rune(line)
		for _, col := range []string{"CHECK", "OBJECT"} {
			before, _, _ := strings.Cut(header, col)
			at := len([]rune(before))
			if at >= len(r) || r[at-1] != ' ' || r[at] == ' ' {
				t.Errorf("column %s does not start at %d: %q", col, at, line)
			}
		}
	}
	if tables == 0 || rows == 0 {
		t.Fatalf("no findings table (%d tables, %d rows)", tables, rows)
	}
	var wide bytes.Buffer
	if err := Render(&wide, rep, cat, Options{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(wide.String(), "…") || !strings.Contains(buf.String(), "…") {
		t.Error("the wide table is shortened, or the fitted one is not")
	}
}

// TestMostSevereFirst: within a section, findings come most severe first.
func TestMostSevereFirst(t *testing.T) {
	t.Parallel()
	rs := []row{{severity: check.Low, check: "a"}, {severity: check.Critical, check: "b"}, {severity: check.Low, check: "c"}, {severity: check.High, check: "d"}}
	var buf bytes.Buffer
	ew := &errWriter{w: &buf}
	findingsTable(ew, rs, Options{})
	var order []string
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n")[1:] {
		order = append(order, strings.Fields(line)[1])
	}
	if strings.Join(order, "") != "bdac" {
		t.Errorf("order %v, want b d a c", order)
	}
}
