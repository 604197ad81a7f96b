package upgrade

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestDocsAreGenerated: docs/upgrade-plan.md is what the tables say (go generate
// ./internal/upgrade rewrites it).
func TestDocsAreGenerated(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := Markdown(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../docs/upgrade-plan.md")
	if err != nil || !bytes.Equal(got, buf.Bytes()) {
		t.Errorf("docs/upgrade-plan.md is stale (%v): run go generate ./internal/upgrade", err)
	}
}

// TestRulesTable: every rule has a section of the checklist, a title, a remediation ending
// with a period and a source; IDs are unique; every blocking rule is at least high.
func TestRulesTable(t *testing.T) {
	t.Parallel()
	sections := map[string]bool{}
	for _, s := range Sections {
		sections[s.ID] = true
	}
	seen := map[string]bool{}
	for _, r := range Rules {
		switch {
		case seen[r.ID]:
			t.Errorf("%s: listed twice", r.ID)
		case !strings.HasPrefix(r.ID, "upgrade-"):
			t.Errorf("%s: not an upgrade- ID", r.ID)
		case !sections[r.Section]:
			t.Errorf("%s: unknown section %q", r.ID, r.Section)
		case r.Title == "" || r.Source == "" || !strings.HasSuffix(r.Remediation, "."):
			t.Errorf("%s: title, source and a remediation ending with a period are required", r.ID)
		case r.Blocking && r.Severity.String() != "high" && r.Severity.String() != "critical":
			t.Errorf("%s: blocking below high", r.ID)
		}
		seen[r.ID] = true
	}
	for _, c := range changes {
		if c.Source == "" || c.What == "" || (c.Applies != "linux-ubuntu" && c.Applies != "windows-2022") {
			t.Errorf("change %+v: source, what and a known scope are required", c)
		}
	}
}
