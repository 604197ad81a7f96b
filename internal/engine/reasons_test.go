package engine_test

import (
	"bytes"
	"maps"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/render/jsonout"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
)

// TestReasonsKeptAreReasonsMade: runs that share a Reasons report what runs that make every
// reason anew report, byte for byte, whatever evidence each run gives and in whatever order
// the sets of evidence come; a run with another list of checks does not take the kept
// reasons. The scans give manifests alone (most items then not evaluated or manual, their
// reasons naming what to give), manifests with a reason why the cluster was not read, and
// manifests with the cluster: each set of evidence words the reasons differently.
func TestReasonsKeptAreReasonsMade(t *testing.T) {
	ctx := t.Context()
	cat := catalog.MustLoad()
	all := checks.All()
	examples := load.Load(ctx, []string{"../../examples/k8s"}, load.Options{})
	if len(examples.Objects) == 0 {
		t.Fatal("no objects in examples/k8s")
	}
	scanWith := func(evidence map[catalog.Evidence]bool, absent map[catalog.Evidence]string) *subject.Scan {
		s := *examples
		s.Evidence = maps.Clone(evidence)
		s.Absent = maps.Clone(absent)
		return &s
	}
	scans := map[string]*subject.Scan{
		"manifests": scanWith(map[catalog.Evidence]bool{catalog.Manifest: true}, nil),
		"manifests, the cluster absent": scanWith(map[catalog.Evidence]bool{catalog.Manifest: true},
			map[catalog.Evidence]string{catalog.Cluster: "the webhook does not read the cluster's configuration"}),
		"manifests and the cluster": scanWith(map[catalog.Evidence]bool{catalog.Manifest: true, catalog.Cluster: true}, nil),
	}
	render := func(rep *report.Report) []byte {
		var b bytes.Buffer
		if err := jsonout.Render(&b, rep); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	want := map[string][]byte{}
	for name, s := range scans {
		want[name] = render(engine.Run(ctx, cat, all, s, engine.Options{}))
	}

	var kept engine.Reasons
	order := []string{"manifests", "manifests, the cluster absent", "manifests", "manifests and the cluster",
		"manifests, the cluster absent", "manifests and the cluster", "manifests"}
	for i, name := range order {
		got := render(engine.Run(ctx, cat, all, scans[name], engine.Options{Reasons: &kept}))
		if !bytes.Equal(got, want[name]) {
			t.Errorf("run %d (%s) with kept reasons: the report differs from one whose reasons are made anew", i, name)
		}
	}
	if n := engine.ReasonTables(&kept); n != 3 {
		t.Errorf("the Reasons keeps %d sets of evidence, want 3", n)
	}

	// Another list of checks: its items' checks differ, so must their reasons.
	few := all[:len(all)/3]
	for name, s := range scans {
		fresh := render(engine.Run(ctx, cat, few, s, engine.Options{}))
		if got := render(engine.Run(ctx, cat, few, s, engine.Options{Reasons: &kept})); !bytes.Equal(got, fresh) {
			t.Errorf("%s, another list of checks given the same Reasons: the report differs from one whose reasons are made anew", name)
		}
	}
}
