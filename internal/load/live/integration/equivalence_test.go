//go:build integration

package integration

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/discovery"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/cluster"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/load/live"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
)

// equivalenceDate is the scan date of internal/checks/cluster's equivalence test.
var equivalenceDate = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// TestSameClusterSameStatusesLive is internal/checks/cluster's TestSameClusterSameStatuses
// with the live form added: the hardened cluster (az CLI output, ARM template, compiled
// Bicep, Terraform module, Terraform plan) and the same cluster's Nodes in a real
// kube-apiserver (pools system and apps, System and User, three nodes each across zones 1 to
// 3 of westeurope, kubelets at the API server's version, node image AKSAzureLinux-V2gen2-202611.10.0, the System
// nodes tainted CriticalAddonsOnly). Every item a check with live evidence proves has the
// same status live as in the five file forms; the items only the Azure description can prove
// are not judged live (not evaluated, or manual), and the live scan has no finding at all.
func TestSameClusterSameStatusesLive(t *testing.T) {
	t.Parallel()
	api, err := env.StartAPIServer("equivalence")
	if err != nil {
		t.Fatal(err)
	}
	defer api.Stop()
	s, err := newSeeder(api.Config(adminToken))
	if err != nil {
		t.Fatal(err)
	}
	// The kubelets run the harness API server's version, as an upgraded cluster's do: the
	// files' 1.36 would be an upgrade left half done against this 1.37 API server.
	dc, err := discovery.NewDiscoveryClientForConfig(api.Config(adminToken))
	if err != nil {
		t.Fatal(err)
	}
	server, err := dc.ServerVersion()
	if err != nil {
		t.Fatal(err)
	}
	const image = "AKSAzureLinux-V2gen2-202611.10.0"
	for _, pool := range []struct {
		name, mode, scaleSet string
		critical             bool
	}{{"system", "system", "10000000", true}, {"apps", "user", "20000000", false}} {
		for i := range 3 {
			n := node(fmt.Sprintf("aks-%s-%s-vmss%06d", pool.name, pool.scaleSet, i), pool.name, pool.mode,
				fmt.Sprintf("westeurope-%d", i+1), server.GitVersion, image, pool.critical)
			n.Labels["kubernetes.azure.com/os-sku"] = "AzureLinux"
			n.Labels["topology.kubernetes.io/region"] = "westeurope"
			n.Labels["node.kubernetes.io/instance-type"] = "Standard_D4s_v5"
			n.Status.NodeInfo.OSImage = "CBL-Mariner/Linux"
			if err := s.node(t.Context(), n); err != nil {
				t.Fatal(err)
			}
		}
	}

	cat := catalog.MustLoad()
	checks := cluster.Checks()
	items := map[string][]*check.Check{}
	for _, c := range checks {
		// As in the files' equivalence test: one input alone cannot prove the drift between
		// a declared and a running cluster, and the storage migration item needs the
		// cluster's Kubernetes objects.
		if c.Item != cluster.IaCDrift.Item && c.Item != cluster.BackupOtherRegion.Item {
			items[c.Item] = append(items[c.Item], c)
		}
	}
	statuses := func(name string, rep *report.Report) map[string]string {
		out := map[string]string{}
		for _, it := range rep.Items {
			if items[it.ID] != nil {
				out[it.ID] = it.Status
			}
		}
		for _, f := range rep.Findings {
			t.Errorf("%s: the hardened cluster has a finding: %s %s (%s %s, %s)", name, f.Check, f.Message, f.Object.Kind, f.Object.Name, f.Location.Path)
		}
		return out
	}
	run := func(name string, scan *subject.Scan) map[string]string {
		if len(scan.Errors) > 0 {
			t.Fatalf("%s: %+v", name, scan.Errors)
		}
		return statuses(name, engine.Run(t.Context(), cat, checks, scan, engine.Options{Now: func() time.Time { return equivalenceDate }}))
	}

	root := filepath.Join("..", "..", "..")
	az := filepath.Join(root, "load", "arm", "testdata", "az")
	files := map[string][]string{
		"az": {filepath.Join(az, "aks-hardened.json"), filepath.Join(az, "maintenanceconfiguration-list.json"),
			filepath.Join(az, "diagnostic-settings-list.json"), filepath.Join(az, "security-pricing-containers.json"),
			filepath.Join(az, "acr-show.json"), filepath.Join(az, "k8s-extension-list.json"),
			filepath.Join(az, "k8s-configuration-flux-list.json"), filepath.Join(az, "dataprotection-backup-instance-list.json"),
			filepath.Join(az, "policy-assignment-list.json"), filepath.Join(az, "policy-state-list.json")},
		"template":  {filepath.Join(root, "load", "arm", "testdata", "templates", "aks.json")},
		"bicep":     {filepath.Join(root, "load", "arm", "testdata", "bicep", "main.json")},
		"terraform": {filepath.Join(root, "load", "terraform", "testdata", "v4")},
		"plan":      {filepath.Join(root, "load", "terraform", "testdata", "plan", "plan.json")},
	}
	fromFiles := map[string]map[string]string{}
	for name, paths := range files {
		fromFiles[name] = run(name, load.Load(t.Context(), paths, load.Options{}))
	}
	liveScan := live.LoadConfig(t.Context(), api.Config(adminToken), "aks-good", live.Options{})
	nodes := 0
	for _, o := range liveScan.Objects {
		if _, ok := o.Body().(*corev1.Node); ok {
			nodes++
		}
	}
	if nodes != 6 {
		t.Fatalf("the live scan read %d nodes, want 6", nodes)
	}
	fromLive := run("live", liveScan)

	for id, cs := range items {
		want := fromFiles["az"][id]
		for name := range files {
			if got := fromFiles[name][id]; got != want {
				t.Errorf("item %s: %s from az JSON but %s from %s", id, want, got, name)
			}
		}
		provedLive := false
		for _, c := range cs {
			for _, ev := range c.EvidenceKinds() {
				provedLive = provedLive || ev == catalog.Cluster
			}
		}
		got := fromLive[id]
		switch {
		case provedLive && got != want:
			t.Errorf("item %s: %s from az JSON but %s live", id, want, got)
		case !provedLive && (got == report.StatusFail || got == report.StatusPass):
			// Not evaluated, or manual for items a person can attest: never judged on
			// what the API server does not show.
			t.Errorf("item %s: only Azure proves it, but it is %s live", id, got)
		}
		if provedLive {
			t.Logf("item %s: %s in all six forms", id, got)
		}
	}
}
