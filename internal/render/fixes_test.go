package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/render/fixtext/fixtest"
)

// TestEveryFormatShowsFixes renders fixes of every shape through the formats' table, as -o
// dispatches to them: every format but the compact table carries the az command, a Terraform
// edit and a manifest edit; the compact table counts them.
func TestEveryFormatShowsFixes(t *testing.T) {
	t.Parallel()
	rep, cat := fixtest.Report()
	c := Context{Report: rep, Catalog: cat, Checks: checks.All(), Width: 120}
	for _, f := range Formats() {
		var buf bytes.Buffer
		if err := f.Render(&buf, c); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		out := buf.String()
		if f.Name == "table" {
			if !strings.Contains(out, "8 finding(s) carry a fix: -o wide shows each") || strings.Contains(out, "az aks update") {
				t.Errorf("table: the fixes are not counted, or are shown in the compact table")
			}
			continue
		}
		for _, want := range []string{"az aks update --resource-group rg-prod --name aks-prod --enable-azure-rbac", "azure_policy_enabled", "capabilities.drop", "azurerm v4"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: no %q", f.Name, want)
			}
		}
	}
}
