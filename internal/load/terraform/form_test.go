package terraform

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/akscheck/akscheck/internal/subject"
)

// TestForm: a module's resources are FormModule, a plan's FormPlan, each named by the
// azurerm version whose attribute names the input uses.
func TestForm(t *testing.T) {
	t.Parallel()
	check := func(name string, s *subject.Scan, form subject.Form, provider string) {
		t.Helper()
		c, g := parts(t, s)
		if c.Form != form || c.Provider != provider {
			t.Errorf("%s: cluster form %q provider %q, want %q %q", name, c.Form, c.Provider, form, provider)
		}
		for _, p := range c.Pools {
			if p.Form != form || p.Provider != provider {
				t.Errorf("%s: pool %s form %q provider %q", name, p.Name, p.Form, p.Provider)
			}
		}
		if g != nil && (g.Form != form || g.Provider != provider) {
			t.Errorf("%s: registry form %q provider %q", name, g.Form, g.Provider)
		}
	}
	check("v4", loadDir(t, filepath.Join("testdata", "v4"), Options{}, "main.tf", "variables.tf", "terraform.tfvars"), subject.FormModule, subject.AzurermV4)
	check("v3", loadDir(t, filepath.Join("testdata", "v3"), Options{}, "main.tf"), subject.FormModule, subject.AzurermV3)
	f := filepath.Join("testdata", "plan", "plan.json")
	data, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	check("plan", LoadPlan(f, data), subject.FormPlan, subject.AzurermV4)
}
