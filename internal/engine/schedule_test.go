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
