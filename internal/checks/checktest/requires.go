package checktest

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/engine"
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

// RequiredKinds returns the kinds a cross-object check decides on: Namespace, the kinds it
// judges (Node for a check of the running cluster, whose subject its Nodes make) and its
// Requires (what the audit watches and the admission webhook caches for it). ok is false for
// a check that reads no other subject, or that reads every kind (it judges every object, or
// namespaces, which objects of any kind imply).
func RequiredKinds(c *check.Check) (kinds []string, ok bool) {
	if !c.CrossObject {
		return nil, false
	}
	judged := c.Kinds
	if len(judged) == 0 {
		judged = subject.KindsOf(c.SubjectType())
	}
	switch {
	case c.SubjectType() == reflect.TypeFor[*subject.LiveCluster]():
		// A running cluster's subject is made of its Nodes; what else a check of it reads, it
		// reads through the index, by kind.
		judged = []string{"Node"}
	case c.SubjectType() == reflect.TypeFor[*subject.Namespace](),
		len(judged) == 0 && c.SubjectType() == reflect.TypeFor[*subject.Object]():
		return nil, false
	}
	kinds = append(append(append([]string{"Namespace"}, judged...), c.Requires...), unrequired[c.ID]...)
	return kinds, true
}

// SameOnRequired runs a cross-object check again on only the objects of RequiredKinds (and
// every subject that is no Kubernetes object) and fails when its verdicts (its findings but
// for their wording, its item's status) differ from whole, its report on all of scan: a check that reads a kind it does not
// list in Requires decides otherwise at admission, in the audit and with --partial.
func SameOnRequired(t *testing.T, cat *catalog.Catalog, c *check.Check, scan *subject.Scan, opts engine.Options, whole *report.Report) {
	t.Helper()
	keep, ok := RequiredKinds(c)
	if !ok {
		return
	}
	part := *scan
	part.Objects = nil
	for _, o := range scan.Objects {
		if slices.Contains(keep, o.Kind) {
			part.Objects = append(part.Objects, o)
		}
	}
	if len(part.Objects) == len(scan.Objects) {
		return
	}
	seen := engine.Run(t.Context(), cat, []*check.Check{c}, &part, opts)
	if w, p := decisionOf(t, whole, c.Item), decisionOf(t, seen, c.Item); w != p {
		t.Errorf("%s decides otherwise on the kinds it judges and Requires (%v) alone: it reads another kind; add it to Requires\nwhole: %s\npart:  %s",
			c.ID, keep, w, p)
	}
}

// decisionOf is what a report decides of a check's item, as JSON: the item, and each
// finding without its message and related objects. Those may name other objects for context
// (the workloads that run a vulnerable image) that a watch of fewer kinds does not hold; the
// verdict must not depend on them.
func decisionOf(t *testing.T, rep *report.Report, item string) string {
	t.Helper()
	var it report.Item
	for _, i := range rep.Items {
		if i.ID == item {
			it = i
		}
	}
	fs := make([]report.Finding, len(rep.Findings))
	for i, f := range rep.Findings {
		f.Message, f.Related = "", nil
		fs[i] = f
	}
	b, err := json.Marshal(struct {
		Findings []report.Finding
		Item     report.Item
	}{fs, it})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
