package arm

import (
	"testing"

	"github.com/akscheck/akscheck/internal/testutil"
)

// FuzzLoadBytes feeds the ARM loader arbitrary JSON: it must never panic, and bad input must
// become error entries. Seeded from the test data (az outputs, templates, Bicep).
func FuzzLoadBytes(f *testing.F) {
	testutil.AddSeeds(f, []string{
		`{"$schema":"deploymentTemplate","contentVersion":"1","resources":[{"type":"[parameters('t')]","name":"[format('{0}', variables('v'))]","condition":"[equals(1,1)]"}]}`,
		`{"value":[{"type":"Microsoft.Insights/diagnosticSettings","properties":{"logs":"[x()]"}}]}`,
	}, "testdata/az/*.json", "testdata/templates/*.json", "testdata/bicep/*.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		s := LoadBytes("fuzz.json", data, Options{})
		s.Others = Link(s.Others)
		for _, e := range s.Errors {
			if e.Source != "fuzz.json" {
				t.Fatalf("error without its source: %+v", e)
			}
		}
		_ = Sniff(data)
	})
}
