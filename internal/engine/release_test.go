package engine_test

import (
	"bytes"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/render/jsonout"
	"github.com/akscheck/akscheck/internal/testutil"
)

// TestRelease: a run told that its caller reads nothing of the objects after it
// (Options.Release, the CLI's scan) gives the same report byte for byte, and leaves the
// scan without its objects. (TestReleaseKeepsNoSubject holds that the findings no longer
// keep them while the report is built.)
func TestRelease(t *testing.T) {
	ctx := t.Context()
	cat, all := catalog.MustLoad(), checks.All()
	render := func(release bool) string {
		s := load.Load(ctx, []string{"../../examples"}, load.Options{})
		var b bytes.Buffer
		if err := jsonout.Render(&b, engine.Run(ctx, cat, all, s, engine.Options{Now: testutil.Now, Release: release})); err != nil {
			t.Fatal(err)
		}
		if release && s.Objects != nil {
			t.Errorf("the scan still holds %d objects", len(s.Objects))
		}
		return b.String()
	}
	if want, got := render(false), render(true); got != want {
		t.Fatalf("the report differs when the objects are released: %s", firstDiff(want, got))
	}
}
