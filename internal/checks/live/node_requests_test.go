package live

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/report"
)

// TestNodeRequestsUndecided: a pool whose nodes do not show their allocatable resources, or
// whose pods' requests cannot be read (a controller's pod whose controller is not in the
// scan), leaves the item not evaluated, naming the evidence; never a pass.
func TestNodeRequestsUndecided(t *testing.T) {
	t.Parallel()
	node := func(alloc string) string {
		return "apiVersion: v1\nkind: Node\nmetadata:\n  name: aks-apps-1-vmss000000\n  labels:\n    kubernetes.azure.com/agentpool: apps\n" +
			"    kubernetes.azure.com/mode: user\nstatus:\n" + alloc + "  nodeInfo: {kubeletVersion: v1.31.2}\n"
	}
	orphan := "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web-1\n  namespace: shop\n  ownerReferences:\n" +
		"    - {apiVersion: apps/v1, kind: ReplicaSet, name: web, uid: u1, controller: true}\nspec: {nodeName: aks-apps-1-vmss000000}\nstatus: {phase: Running}\n"
	cat := catalog.MustLoad()
	for name, tc := range map[string]struct{ doc, want string }{
		"no allocatable": {node(""), "allocatable CPU and memory of pool apps"},
		"pod of a controller not in the scan": {node("  allocatable: {cpu: 3860m, memory: 12Gi}\n") + orphan,
			"resource requests of pod shop/web-1 on pool apps"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := filepath.Join(t.TempDir(), "cluster.yaml")
			if err := os.WriteFile(f, []byte(tc.doc), 0o600); err != nil {
				t.Fatal(err)
			}
			rep := engine.Run(t.Context(), cat, []*check.Check{NodeRequests}, loadFixture(t, f),
				engine.Options{Now: func() time.Time { return fixtureNow }})
			for _, fd := range rep.Findings {
				t.Errorf("want no finding, got %s", fd.Message)
			}
			it := rep.Items[cat.ItemIndex(NodeRequests.Item)]
			if it.Status != report.StatusNotEvaluated || !strings.Contains(it.Reason, tc.want) {
				t.Errorf("item is %s (%s), want not-evaluated naming %q", it.Status, it.Reason, tc.want)
			}
		})
	}
}
