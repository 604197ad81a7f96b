package engine_test

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/render/jsonout"
	"github.com/akscheck/akscheck/internal/subject"
	"github.com/akscheck/akscheck/internal/testutil"
)

// TestReportIndependentOfScheduling runs the checks on one core and on many (which cut the
// subjects into spans of other sizes), several times: the report, its error entries and
// notices in their order included, is the same byte for byte. The scan holds what makes order visible: checks that fail on some subjects (error
// entries from several checks) and exemption annotations without a reason (notices from
// several checks, some repeated).
func TestReportIndependentOfScheduling(t *testing.T) {
	ctx := t.Context()
	cat := catalog.MustLoad()
	s := load.Load(ctx, []string{"../../examples"}, load.Options{})
	var extra strings.Builder
	for i := range 40 {
		fmt.Fprintf(&extra, "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: exempt-%d\n  namespace: ns-%d\n"+
			"  annotations: {akscheck.io/exempt: \"run-as-root,liveness-probe,latest-tag,required-labels\"}\n"+
			"spec:\n  selector: {matchLabels: {app: a%d}}\n  template:\n    metadata: {labels: {app: a%d}}\n"+
			"    spec: {containers: [{name: c, image: \"nginx:latest\"}]}\n", i, i%3, i, i)
	}
	more := manifest.LoadBytes("exempt.yaml", []byte(extra.String()), manifest.Options{})
	s.Objects = append(s.Objects, more.Objects...)
	if len(more.Errors) > 0 {
		t.Fatalf("fixture: %+v", more.Errors)
	}
	all := checks.All()
	for i := range 3 {
		all = append(all, check.New(check.Meta{ID: fmt.Sprintf("fails-on-some-%d", i), Item: "dev.liveness-probe"},
			func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
				if len(w.Name())%3 == i {
					panic("boom")
				}
			}))
	}
	opts := engine.Options{Now: testutil.Now, Policy: allEnabled()}
	render := func(procs int) string {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		var b bytes.Buffer
		if err := jsonout.Render(&b, engine.Run(ctx, cat, all, s, opts)); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	want := render(1)
	if !strings.Contains(want, `"notices"`) || !strings.Contains(want, "fails-on-some-2 failed") {
		t.Fatal("the scan causes no notice or no check failure: the test proves nothing")
	}
	for run := range 5 {
		if got := render(8); got != want {
			t.Fatalf("run %d on 8 threads differs from the run on one: %s", run, firstDiff(want, got))
		}
	}

	// Packed, each subject is decoded while its checks judge it, on several cores at once
	// (the checks of a type with few subjects cut into runs judge one subject on two), and
	// others read it meanwhile: the same report (go test -race watches the sharing).
	packed := 0
	for _, o := range s.Objects {
		if o.Pack() {
			packed++
		}
	}
	if packed < 100 {
		t.Fatalf("%d objects packed: the test proves little", packed)
	}
	for run := range 3 {
		if got := render(8); got != want {
			t.Fatalf("run %d on packed objects differs: %s", run, firstDiff(want, got))
		}
	}
}

// TestSubjectsOpenWhileJudged: the engine opens each subject while its checks judge it, so
// the reads of a packed body during the visit share one decoded value (a decode per read
// otherwise: the same report, many times the work, which no report shows).
func TestSubjectsOpenWhileJudged(t *testing.T) {
	ctx := t.Context()
	s := load.Load(ctx, []string{"../../examples"}, load.Options{})
	workloads, objects := 0, 0
	for _, o := range s.Objects {
		if o.Pack() && subject.IsWorkloadKind(o.Kind) {
			workloads++
		}
	}
	if workloads < 10 {
		t.Fatalf("%d workloads packed: the test proves little", workloads)
	}
	sameTemplate := check.New(check.Meta{ID: "reads-one-template", Item: "dev.liveness-probe"},
		func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
			if first, body := w.Template(), w.Object.Body(); first != w.Template() || body != w.Object.Body() {
				r.Failf("spec", "", "%s %s decoded again on a second read", w.Kind, w.Name())
			}
		})
	sameBody := check.New(check.Meta{ID: "reads-one-body", Item: "dev.liveness-probe"},
		func(_ context.Context, _ *check.Env, o *subject.Object, r *check.Result) {
			if o.Packed() {
				objects++
				if first := o.Body(); first != o.Body() {
					r.Failf("spec", "", "%s %s decoded again on a second read", o.Kind, o.Name())
				}
			}
		})
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)) // objects is counted on one core
	rep := engine.Run(ctx, catalog.MustLoad(), []*check.Check{sameTemplate, sameBody}, s, engine.Options{Now: testutil.Now, Policy: allEnabled()})
	if objects == 0 {
		t.Fatal("no packed object judged")
	}
	for _, f := range rep.Findings {
		t.Error(f.Message)
	}
	for _, w := range s.Objects {
		if first := w.Body(); w.Packed() && first == w.Body() {
			t.Fatalf("%s %s: its body stays decoded after its visit", w.Kind, w.Name())
		}
	}
}
