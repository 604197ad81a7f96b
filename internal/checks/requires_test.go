package checks

import (
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/checktest"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load"
)

// TestRequiresIsComplete holds every cross-object check to its Requires on the bundled
// examples as a whole (the fixture suites hold them to it fixture by fixture): run on only
// the kinds it judges, the kinds it says it reads and the Namespaces (what the admission
// webhook's cache and the audit's watch hold for it), it must decide as it does on
// everything. A check that reads a kind it does not list passes at admission on a cache that
// lacks the kind.
func TestRequiresIsComplete(t *testing.T) {
	t.Parallel()
	scan := load.Load(t.Context(), []string{"../../examples"}, load.Options{ScanReports: []string{"../../examples/images"}})
	cat := catalog.MustLoad()
	for _, c := range All() {
		if _, ok := checktest.RequiredKinds(c); !ok {
			continue
		}
		rep := engine.Run(t.Context(), cat, []*check.Check{c}, scan, engine.Options{})
		checktest.SameOnRequired(t, cat, c, scan, engine.Options{}, rep)
	}
}
