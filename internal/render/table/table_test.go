package table

import (
	"bytes"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/report"
)

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
