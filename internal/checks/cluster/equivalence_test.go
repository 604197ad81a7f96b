package cluster

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
)

// TestSameClusterSameStatuses: the hardened cluster written as az CLI output, as an ARM
// template, as compiled Bicep, as a Terraform module and as a Terraform plan gives the
// same status for every item the Azure checks prove, the cluster extensions, Flux
// configurations and AKS Backup instances (ops.gitops, storage.backup) included. The sixth form, the same cluster's Nodes
// in a real kube-apiserver, is in internal/load/live/integration
// (TestSameClusterSameStatusesLive, build tag integration): it loads these five files too.
func TestSameClusterSameStatuses(t *testing.T) {
	t.Parallel()
	az := filepath.Join("..", "..", "load", "arm", "testdata", "az")
	inputs := map[string][]string{
		"az": {filepath.Join(az, "aks-hardened.json"), filepath.Join(az, "maintenanceconfiguration-list.json"),
			filepath.Join(az, "diagnostic-settings-list.json"), filepath.Join(az, "security-pricing-containers.json"),
			filepath.Join(az, "acr-show.json"), filepath.Join(az, "k8s-extension-list.json"),
			filepath.Join(az, "k8s-configuration-flux-list.json"), filepath.Join(az, "dataprotection-backup-instance-list.json"),
			filepath.Join(az, "policy-assignment-list.json"), filepath.Join(az, "policy-state-list.json")},
		"template":  {filepath.Join("..", "..", "load", "arm", "testdata", "templates", "aks.json")},
		"bicep":     {filepath.Join("..", "..", "load", "arm", "testdata", "bicep", "main.json")},
		"terraform": {filepath.Join("..", "..", "load", "terraform", "testdata", "v4")},
		"plan":      {filepath.Join("..", "..", "load", "terraform", "testdata", "plan", "plan.json")},
	}
	cat := catalog.MustLoad()
	items := map[string]bool{}
	for _, c := range Checks() {
		// The drift item compares a running cluster with its declaration: one input alone
		// proves nothing (TestDeclaredFormsMatchRunning judges the forms together); the
		// storage migration item needs the cluster's Kubernetes objects.
		if c.Item != IaCDrift.Item && c.Item != BackupOtherRegion.Item {
			items[c.Item] = true
		}
	}
	statuses := map[string]map[string]string{}
	for name, paths := range inputs {
		scan := load.Load(t.Context(), paths, load.Options{})
		if len(scan.Errors) > 0 {
			t.Fatalf("%s: %+v", name, scan.Errors)
		}
		rep := engine.Run(t.Context(), cat, Checks(), scan, engine.Options{Now: func() time.Time { return scanDate }})
		statuses[name] = map[string]string{}
		for _, it := range rep.Items {
			if items[it.ID] {
				statuses[name][it.ID] = it.Status
			}
		}
		for _, f := range rep.Findings {
			t.Errorf("%s: the hardened cluster has a finding: %s %s (%s:%d)", name, f.Check, f.Message, f.Location.File, f.Location.Line)
		}
	}
	for id := range items {
		want := statuses["az"][id]
		// dr.multiregion is judged over the clusters of several regions: one cluster alone
		// leaves it not evaluated (dr-multiregion), in every form alike.
		fleet := id == DRMultiRegion.Item && want == report.StatusNotEvaluated
		if want != report.StatusPass && want != report.StatusNotApplicable && !fleet {
			t.Errorf("az: item %s is %s", id, want)
		}
		for name := range inputs {
			if got := statuses[name][id]; got != want {
				t.Errorf("item %s: %s from az JSON but %s from %s", id, want, got, name)
			}
		}
	}
}

// TestDeclaredFormsMatchRunning: the hardened cluster's template, compiled Bicep, module and
// plan, scanned with its az CLI output, are each matched with it (by name, resource group or
// ARM ID) and declare it as it runs: no drift finding, and the item passes.
func TestDeclaredFormsMatchRunning(t *testing.T) {
	t.Parallel()
	az := filepath.Join("..", "..", "load", "arm", "testdata", "az")
	paths := []string{filepath.Join(az, "aks-hardened.json"), filepath.Join(az, "k8s-extension-list.json"),
		filepath.Join("..", "..", "load", "arm", "testdata", "templates", "aks.json"),
		filepath.Join("..", "..", "load", "arm", "testdata", "bicep", "main.json"),
		filepath.Join("..", "..", "load", "terraform", "testdata", "v4"),
		filepath.Join("..", "..", "load", "terraform", "testdata", "plan", "plan.json")}
	scan := load.Load(t.Context(), paths, load.Options{})
	if len(scan.Errors) > 0 {
		t.Fatalf("%+v", scan.Errors)
	}
	var running *subject.Cluster
	var decls []*subject.Cluster
	for _, o := range scan.Others {
		if c, ok := o.(*subject.Cluster); ok && c.Form == subject.FormDeployed {
			running = c
		} else if ok {
			decls = append(decls, c)
		}
	}
	if running == nil || len(decls) != 4 {
		t.Fatalf("want a running cluster and 4 declarations, got %v and %d", running, len(decls))
	}
	for _, d := range decls {
		if m, known := declares(d, running); !m || !known {
			t.Errorf("%s (%s) does not match the running cluster %s: match %v, known %v", d.Name, d.Form, running.Name, m, known)
		}
	}
	cat := catalog.MustLoad()
	rep := engine.Run(t.Context(), cat, []*check.Check{IaCDrift}, scan, engine.Options{Now: func() time.Time { return scanDate }})
	for _, f := range rep.Findings {
		t.Errorf("drift finding: %s (%s:%d)", f.Message, f.Location.File, f.Location.Line)
	}
	if it := rep.Items[cat.ItemIndex(IaCDrift.Item)]; it.Status != report.StatusPass {
		t.Errorf("item %s is %s (%s), want pass", it.ID, it.Status, it.Reason)
	}
}
