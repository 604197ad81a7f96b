package config

import (
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/testutil"
)

// FuzzParse feeds arbitrary documents to the config decoder and resolves what it accepts,
// compiling the custom checks of every target: a bad config is an error, never a panic.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		issueExample,
		"customChecks:\n  - id: tier\n    item: custom.tier\n    title: t\n    section: cluster\n    target: cluster\n    expression: \"cluster.sku.tier == 'Standard'\"\n",
		"customChecks:\n  - id: vm\n    item: ops.labels\n    target: nodePool\n    expression: \"pool.vmSize.startsWith('Standard_D')\"\n    message: \"pool.name + ' of ' + cluster.name\"\n",
		"customChecks:\n  - id: x\n    item: ops.labels\n    target: registry\n    kinds: [Pod]\n    expression: \"registry.sku.name\"\n",
		"customChecks:\n  - {id: a, item: ops.labels, target: [1], expression: true}\n",
		"checks:\n  params:\n    profile: regulated\nadmission:\n  enforce: {high: deny}\n",
		"exemptions:\n  - check: replicas\n    reason: r\n    expires: 2026-13-01\n",
	} {
		f.Add(s)
	}
	all := checks.All()
	settings, err := check.SettingsOf(all)
	if err != nil {
		f.Fatal(err)
	}
	cat := catalog.MustLoad()
	f.Fuzz(func(t *testing.T, doc string) {
		testutil.WithinBudget(t, 2*time.Second, func() {
			cfg, err := Parse(".akscheck.yaml", []byte(doc), settings)
			if err != nil {
				return
			}
			// Resolving reports what the catalog or the CEL compiler reject as errors.
			_, _ = cfg.Resolve(cat, all)
		})
	})
}
