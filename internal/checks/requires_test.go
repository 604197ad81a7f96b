package checks

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
)

// unrequired are kinds checks read that are not in their Requires, by design, with why.
var unrequired = map[string][]string{
	// The keys of a workload's envFrom ConfigMaps and Secrets: the admission webhook must
	// not cache Secrets (nor every ConfigMap of the cluster for one check), and a live
	// Secret is read as metadata only. Without them the check takes the keys as unknown;
	// it then judges the workload by its Instrumentation (see the closing note of issue 18).
	"workload-tracing": {"ConfigMap", "Secret"},
}

// TestRequiresIsComplete holds every cross-object check to its Requires: run on only the
// kinds it judges, the kinds it says it reads and the Namespaces (what the admission
// webhook's cache and the audit's watch hold for it), it must decide as it does on the whole
// of the examples and the fixtures. A check that reads a kind it does not list passes at
// admission on a cache that lacks the kind.
func TestRequiresIsComplete(t *testing.T) {
	t.Parallel()
	paths := []string{"../../examples"}
	for _, pkg := range checkPackages {
		paths = append(paths, pkg+"/testdata")
	}
	scan := load.Load(t.Context(), paths, load.Options{})
	cat := catalog.MustLoad()
	for _, c := range All() {
		if !c.CrossObject {
			continue
		}
		kinds := c.Kinds
		if len(kinds) == 0 {
			kinds = subject.KindsOf(c.SubjectType())
		}
		switch {
		case c.SubjectType() == reflect.TypeFor[*subject.LiveCluster](),
			len(kinds) == 0 && c.SubjectType() == reflect.TypeFor[*subject.Object]():
			continue // it judges every object, so every kind is read
		case c.SubjectType() == reflect.TypeFor[*subject.Namespace]():
			// Its subjects are the namespaces that objects of any kind are placed in, as
			// well as the Namespace objects.
			continue
		}
		keep := append(append(append([]string{"Namespace"}, kinds...), c.Requires...), unrequired[c.ID]...)
		part := *scan
		part.Objects = nil
		for _, o := range scan.Objects {
			if slices.Contains(keep, o.Kind) {
				part.Objects = append(part.Objects, o)
			}
		}
		whole := engine.Run(t.Context(), cat, []*check.Check{c}, scan, engine.Options{})
		seen := engine.Run(t.Context(), cat, []*check.Check{c}, &part, engine.Options{})
		if decisionOf(t, whole) != decisionOf(t, seen) {
			t.Errorf("%s decides otherwise on the kinds it judges and Requires (%v) alone:\nwhole: %s\npart:  %s",
				c.ID, keep, decisionOf(t, whole), decisionOf(t, seen))
		}
	}
}

// decisionOf is what a report (or a finding) says, as JSON: for a report, its findings and
// its items' statuses.
func decisionOf(t *testing.T, v any) string {
	t.Helper()
	if rep, ok := v.(*report.Report); ok {
		v = struct {
			Findings []report.Finding
			Items    []report.Item
		}{rep.Findings, rep.Items}
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
