package engine_test

import (
	"bytes"
	"runtime"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
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

// TestCollectorPercentWhileChecksRun: a run given CollectorPercent judges with the
// process's collector at that percent, and puts back the percent it found when the checks
// end; a run without it leaves the percent alone.
func TestCollectorPercentWhileChecksRun(t *testing.T) {
	ctx := t.Context()
	before := testutil.CollectorPercent()
	if before >= 0 && before <= 25 {
		t.Skipf("GOGC=%d is already at most 25", before)
	}
	probe := testutil.NewCollectorProbe()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)) // the probe records on one core
	for _, run := range []struct {
		percent, want int
	}{{25, 25}, {0, before}} {
		probe.Seen = nil
		s := load.Load(ctx, []string{"../../examples/k8s"}, load.Options{})
		engine.Run(ctx, catalog.MustLoad(), []*check.Check{probe.Check}, s, engine.Options{Now: testutil.Now, Policy: allEnabled(), CollectorPercent: run.percent})
		if len(probe.Seen) == 0 {
			t.Fatal("the probe judged no workload")
		}
		for _, p := range probe.Seen {
			if p != int64(run.want) {
				t.Fatalf("CollectorPercent %d: the checks ran at percent %d, want %d", run.percent, p, run.want)
			}
		}
		if after := testutil.CollectorPercent(); after != before {
			t.Fatalf("CollectorPercent %d: percent %d after the run, %d before it", run.percent, after, before)
		}
	}
}
