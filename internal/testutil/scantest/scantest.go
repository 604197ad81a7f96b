// Package scantest runs whole scans for the tests of the packages that take a report (the
// renderers, the baseline): every built-in check over the inputs at some paths, on the
// tests' scan date.
package scantest

import (
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/testutil"
)

// Run loads the inputs at paths and runs every built-in check on them with opts, whose Now
// is testutil.Now when unset.
func Run(t testing.TB, opts engine.Options, paths ...string) (*report.Report, *catalog.Catalog) {
	t.Helper()
	if opts.Now == nil {
		opts.Now = testutil.Now
	}
	cat := catalog.MustLoad()
	return engine.Run(t.Context(), cat, checks.All(), load.Load(t.Context(), paths, load.Options{}), opts), cat
}
