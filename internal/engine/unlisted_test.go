package engine

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
	"github.com/akscheck/akscheck/internal/testutil"
)

// A kind the live scan could not list makes the items that need it not evaluated: findings
// from what was read stand, but a pass would rest on objects nobody saw.
func TestUnlistedKinds(t *testing.T) {
	t.Parallel()
	cat := catalog.MustLoad()
	onPods := check.New(check.Meta{ID: "on-pods", Item: testItem, Kinds: []string{"Pod"}},
		func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {})
	onAllWorkloads := check.New(check.Meta{ID: "on-workloads", Item: testItem},
		func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {})
	needsHPAs := check.New(check.Meta{ID: "needs-hpas", Item: testItem, Requires: []string{"HorizontalPodAutoscaler"}},
		func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {})
	failsOnPods := check.New(check.Meta{ID: "fails", Item: testItem, Severity: check.High},
		func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
			r.Failf("spec", "", "bad")
		})
	concludesFromHPAs := check.New(check.Meta{ID: "no-hpa", Item: testItem, Severity: check.High, Requires: []string{"HorizontalPodAutoscaler"}},
		func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
			r.Failf("spec", "", "no HPA")
		})
	onObjects := check.New(check.Meta{ID: "on-objects", Item: testItem},
		func(_ context.Context, _ *check.Env, o *subject.Object, r *check.Result) {})

	tests := []struct {
		name     string
		check    *check.Check
		unlisted map[string]string
		want     string
	}{
		{"its kind was listed", onPods, map[string]string{"Secret": "forbidden"}, report.StatusPass},
		{"its kind was not listed", onPods, map[string]string{"Pod": "forbidden"}, report.StatusNotEvaluated},
		{"a kind of its subject type was not listed", onAllWorkloads, map[string]string{"CronJob": "timed out"}, report.StatusNotEvaluated},
		{"a kind it requires was not listed", needsHPAs, map[string]string{"HorizontalPodAutoscaler": "forbidden"}, report.StatusNotEvaluated},
		{"findings from what was read stand", failsOnPods, map[string]string{"CronJob": "forbidden"}, report.StatusFail},
		{"a check that concludes from a kind not listed does not run", concludesFromHPAs, map[string]string{"HorizontalPodAutoscaler": "forbidden"}, report.StatusNotEvaluated},
		{"a check on every object judges objects one by one", onObjects, map[string]string{"Secret": "forbidden"}, report.StatusPass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			scan := podScan(t)
			scan.Unlisted = tt.unlisted
			rep := Run(t.Context(), cat, []*check.Check{tt.check}, scan, Options{})
			it := testutil.Item(rep, testItem)
			if it.Status != tt.want {
				t.Fatalf("status = %s (%s), want %s", it.Status, it.Reason, tt.want)
			}
			// The report keeps the kinds for the audit's history (a finding on an object of
			// such a kind is not fixed by the audit's not seeing it).
			if !maps.Equal(rep.Unlisted, tt.unlisted) {
				t.Errorf("report's unlisted kinds %v, want %v", rep.Unlisted, tt.unlisted)
			}
			if tt.want == report.StatusNotEvaluated {
				for k, why := range tt.unlisted {
					if !strings.Contains(it.Reason, k+": "+why) {
						t.Errorf("reason %q does not name %s and why", it.Reason, k)
					}
				}
			}
		})
	}
}

// A live scan builds its AKS cluster from the Nodes: without them, a cluster check that takes
// live evidence is not evaluated (it would pass on no cluster); one that takes only Azure
// evidence does not depend on them.
func TestClusterChecksNeedNodes(t *testing.T) {
	t.Parallel()
	cat := catalog.MustLoad()
	const item = "dr.availability-zones"
	observed := check.New(check.Meta{ID: "observed", Item: item, Evidence: []catalog.Evidence{catalog.ARM, catalog.Cluster}},
		func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {})
	azureOnly := check.New(check.Meta{ID: "azure-only", Item: item, Evidence: []catalog.Evidence{catalog.ARM}},
		func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {})
	arm := &subject.Cluster{AzureResource: subject.AzureResource{Name: "aks", Input: subject.InputARM}}
	scan := func() *subject.Scan {
		return &subject.Scan{Others: []subject.Subject{arm},
			Evidence: map[catalog.Evidence]bool{catalog.ARM: true, catalog.Cluster: true},
			Unlisted: map[string]string{"Node": "cluster-scoped, not listed by a scan limited to namespace shop"}}
	}
	if it := testutil.Item(Run(t.Context(), cat, []*check.Check{observed}, scan(), Options{}), item); it.Status != report.StatusNotEvaluated || !strings.Contains(it.Reason, "Node: cluster-scoped") {
		t.Errorf("live-evidence cluster check without Nodes: %s (%s), want not-evaluated", it.Status, it.Reason)
	}
	if it := testutil.Item(Run(t.Context(), cat, []*check.Check{azureOnly}, scan(), Options{}), item); it.Status != report.StatusPass {
		t.Errorf("Azure-only cluster check without Nodes: %s (%s), want pass", it.Status, it.Reason)
	}
}
