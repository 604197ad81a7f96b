package table

import (
	"bytes"
	"flag"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/render/fixtext/fixtest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestFixes renders the fixes of every shape: the compact table only counts them, the wide one
// shows each under its section, escaped, with credentials withheld.
func TestFixes(t *testing.T) {
	t.Parallel()
	rep, cat := fixtest.Report()
	for _, c := range []struct {
		golden string
		opts   Options
	}{
		{"testdata/fixes.golden", Options{Width: 100}},
		{"testdata/fixes-wide.golden", Options{Fixes: true}},
	} {
		var b bytes.Buffer
		if err := Render(&b, rep, cat, c.opts); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		fixtest.Golden(t, c.golden, b.Bytes(), *update)
		if strings.Contains(out, "AccountKey=") || strings.Contains(out, "s3cr3t") {
			t.Errorf("%s: a credential is printed", c.golden)
		}
		if strings.ContainsAny(out, "\x1b\x07\x00\r\u202e\u2066\u200b") {
			t.Errorf("%s: a raw control, bidi or invisible character", c.golden)
		}
		if c.opts.Fixes {
			for _, want := range []string{
				"      $ az aks update --resource-group rg-prod --name aks-prod --enable-azure-rbac\n",
				"      terraform/v4.tf:30  default_node_pool.upgrade_settings.max_surge = \"33%\"\n",
				"      k8s/web.yaml:21  spec.template.spec.containers[0].securityContext.capabilities.drop += \"ALL\"\n",
				"      arm/aks.json:40  properties.apiServerAccessProfile.enablePrivateCluster: true\n",
				"(terraform, azurerm v3)",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("the wide table lacks %q", want)
				}
			}
		} else {
			// The findings tables still fit the width.
			inTable := false
			for _, line := range strings.Split(out, "\n") {
				inTable = strings.HasPrefix(line, "  SEVERITY") || inTable && strings.HasPrefix(line, "  ")
				if n := len([]rune(line)); inTable && n > 100 {
					t.Errorf("%d columns: %q", n, line)
				}
			}
			if strings.Contains(out, "$ az") || !strings.Contains(out, "\n8 finding(s) carry a fix: -o wide shows each, -o json has them all.\n") {
				t.Errorf("the compact table shows the fixes, or does not count them:\n%s", out)
			}
		}
	}
}
