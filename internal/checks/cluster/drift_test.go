package cluster

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
)

// TestIaCDriftMessages: each drift finding names the setting, both values and where each is
// written; a hand-made cluster and a hand-made pool are named.
func TestIaCDriftMessages(t *testing.T) {
	t.Parallel()
	cat := catalog.MustLoad()
	for fixture, want := range map[string][]string{
		"fail_tier_changed_by_hand": {"SKU tier is free in the running cluster aks-good (", "aks.json:", "but standard in its declaration azurerm_kubernetes_cluster.good (", "main.tf:"},
		"fail_undeclared_cluster":   {"cluster aks-handmade (resource group rg-shop) runs but no declaration", "azurerm_kubernetes_cluster.good (aks-good)"},
		"fail_template_and_az":      {"SKU tier is standard in the running cluster aks-good (", "but premium in its declaration aks-good (", "template.json:"},
		"fail_pool_added_by_hand":   {"node pool batch runs in cluster aks-good but azurerm_kubernetes_cluster.good declares no such pool"},
	} {
		t.Run(fixture, func(t *testing.T) {
			t.Parallel()
			rep := runFixture(t, cat, IaCDrift, materialise(t, filepath.Join("testdata", "iac-drift", fixture)))
			if len(rep.Findings) != 1 {
				t.Fatalf("want one finding, got %+v", rep.Findings)
			}
			for _, w := range want {
				if !strings.Contains(rep.Findings[0].Message, w) {
					t.Errorf("message %q lacks %q", rep.Findings[0].Message, w)
				}
			}
		})
	}
}
