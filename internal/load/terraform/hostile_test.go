package terraform

import (
	"strings"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/subject"
	"github.com/akscheck/akscheck/internal/testutil"
)

// TestHostileModules: a few hundred bytes of HCL that build gigabytes end in an error entry
// within seconds, the value unknown (issue 19).
func TestHostileModules(t *testing.T) {
	t.Parallel()
	// Ten nested replace calls multiply "x" by 10^10.
	bomb := `"x"`
	for range 10 {
		bomb = `replace(` + bomb + `, "x", "xxxxxxxxxx")`
	}
	cases := []struct {
		name, src string
		line      int
		msg       string
	}{
		{"nested replace", "resource \"azurerm_kubernetes_cluster\" \"a\" {\n  sku_tier = \"Free\"\n  name = " + bomb + "\n}\n",
			3, "name: the value would be larger than 1048576 bytes or elements; it is unknown"},
		{"local", "locals {\n  big = " + bomb + "\n}\nresource \"azurerm_kubernetes_cluster\" \"a\" {\n  sku_tier = \"Free\"\n  name = local.big\n}\n",
			2, "local.big: the value would be larger than 1048576 bytes or elements; it is unknown"},
		{"references", "locals {\n  a = replace(replace(replace(replace(replace(\"x\", \"x\", \"xxxxxxxxxx\"), \"x\", \"xxxxxxxxxx\"), \"x\", \"xxxxxxxxxx\"), \"x\", \"xxxxxxxxxx\"), \"x\", \"xxxxxxxxxx\")\n}\n" +
			"resource \"azurerm_kubernetes_cluster\" \"a\" {\n  sku_tier = \"Free\"\n  name = \"" + strings.Repeat("${local.a}", 2000) + "\"\n}\n",
			6, "name: the value would be larger than 1048576 bytes or elements; it is unknown"},
		{"format", "resource \"azurerm_kubernetes_cluster\" \"a\" {\n  sku_tier = \"Free\"\n  name = format(\"" + strings.Repeat("%[1]s", 200) + "\", format(\"" + strings.Repeat("%[1]s", 200) + "\", format(\"" + strings.Repeat("%[1]s", 200) + "\", \"xxxxxxxxxx\")))\n}\n",
			3, "name: the value would be larger than 1048576 bytes or elements; it is unknown"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var s *subject.Scan
			start := time.Now()
			testutil.WithinBudget(t, 5*time.Second, func() {
				s = LoadModule([]File{{Path: "m.tf", Data: []byte(tc.src)}}, Options{})
			})
			t.Logf("%d bytes loaded in %v", len(tc.src), time.Since(start))
			found := false
			for _, e := range s.Errors {
				found = found || (e.Source == "m.tf" && e.Line == tc.line && e.Message == tc.msg)
			}
			if !found {
				t.Errorf("errors %+v: want %q at line %d", s.Errors, tc.msg, tc.line)
			}
			c, _ := parts(t, s)
			if !c.SKUTier.Is("Free") {
				t.Errorf("sku_tier %+v: the rest of the resource must still load", c.SKUTier)
			}
		})
	}
}
