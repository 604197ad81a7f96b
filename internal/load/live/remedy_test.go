package live

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/cluster"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/subject"
)

// TestObservedRemedies: a cluster known only by its Nodes has no Azure resource to name, so
// its findings carry no remedy; once its resource ID is known (a scan with --azure), the
// node pool's finding carries the az command.
func TestObservedRemedies(t *testing.T) {
	t.Parallel()
	f := filepath.Join("testdata", "observed", "system-node-pool", "fail_one_untainted_system_node.yaml")
	data, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	var nodes []*corev1.Node
	for _, o := range manifest.LoadBytes(f, data, manifest.Options{Input: subject.InputCluster}).Objects {
		if n, ok := o.Typed.(*corev1.Node); ok {
			nodes = append(nodes, n)
		}
	}
	var c *check.Check
	for _, x := range cluster.Checks() {
		if x.ID == "system-node-pool" {
			c = x
		}
	}
	run := func(id string) []string {
		aks := ClusterOf("prod", "v1.31.2", nodes)
		aks.ID = id
		scan := &subject.Scan{Others: []subject.Subject{aks}, Evidence: map[catalog.Evidence]bool{catalog.Cluster: true}}
		rep := engine.Run(t.Context(), catalog.MustLoad(), []*check.Check{c}, scan, engine.Options{Now: func() time.Time { return observedNow }})
		if len(rep.Findings) == 0 {
			t.Fatal("no finding")
		}
		var commands []string
		for _, fd := range rep.Findings {
			if fd.Fix != nil {
				commands = append(commands, fd.Fix.Command)
			}
		}
		return commands
	}
	if got := run(""); len(got) != 0 {
		t.Errorf("a cluster known by its Nodes only: remedies %q, want none", got)
	}
	got := run("/subscriptions/0/resourceGroups/rg-prod/providers/Microsoft.ContainerService/managedClusters/prod")
	want := "az aks nodepool update --resource-group rg-prod --cluster-name prod --name system --node-taints CriticalAddonsOnly=true:NoSchedule"
	if len(got) != 1 || got[0] != want {
		t.Errorf("with the cluster's ID: remedies %q, want %q", got, want)
	}
}
