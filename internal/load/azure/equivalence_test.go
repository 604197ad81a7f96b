package azure

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/load/azure/azuretest"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
)

// regionItems are the items the evidence around a cluster decides, with the status the
// two-region estate must have: aks-shop-ne's /28 subnet cannot hold its pool at maxCount 12
// with a surge node, nothing backs aks-shop-ne up (no AKS Backup extension), and the rest passes.
var regionItems = map[string]string{
	"network.ip-planning":        report.StatusFail, // subnet-capacity fails, cidr-overlap passes
	"network.waf":                report.StatusPass, // the Front Door WAF policy in Prevention mode
	"cluster.traffic-management": report.StatusPass, // Traffic Manager and Front Door reach both regions
	"dr.traffic-manager":         report.StatusPass,
	"cluster.extensions":         report.StatusPass, // the extensions take minor upgrades
	"ops.gitops":                 report.StatusPass, // Flux extension and configuration on both
	"storage.backup":             report.StatusFail, // aks-shop-ne has no AKS Backup extension
}

// TestSameVerdictsEveryForm: the same estate (two clusters of one application in westeurope
// and northeurope, their pools' subnets, extensions, Flux configurations, a backup instance,
// a Traffic Manager and a Front Door profile, a Front Door WAF policy) as az CLI output, as an
// ARM template, as a Terraform module, and read live through the Azure SDK from the replay
// server, scanned with the same Ingress and PersistentVolumeClaim, gives every item that
// evidence decides the same status, and the same findings of each check.
func TestSameVerdictsEveryForm(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("testdata", "regions")
	scans := map[string]*subject.Scan{
		"az":        load.Load(t.Context(), []string{filepath.Join(dir, "az"), regionsManifests}, load.Options{}),
		"template":  load.Load(t.Context(), []string{filepath.Join(dir, "template"), regionsManifests}, load.Options{}),
		"terraform": load.Load(t.Context(), []string{filepath.Join(dir, "terraform"), regionsManifests}, load.Options{}),
	}
	srv := regionsServer(t)
	defer srv.Close()
	c := newClient(t, srv)
	live := c.Load(t.Context(), azuretest.RegionsWestID, nil)
	live.Merge(c.Load(t.Context(), azuretest.RegionsNorthID, nil))
	live.Merge(manifestScan(t))
	scans["live"] = live

	cat := catalog.MustLoad()
	all := checks.All()
	byItem := map[string]bool{}
	for _, ch := range all {
		if _, ok := regionItems[ch.Item]; ok {
			byItem[ch.ID] = true
		}
	}
	type verdicts struct {
		items    map[string]string
		findings map[string][]string
	}
	got := map[string]verdicts{}
	for name, scan := range scans {
		if len(scan.Errors) > 0 {
			t.Fatalf("%s: %+v", name, scan.Errors)
		}
		rep := engine.Run(t.Context(), cat, all, scan, engine.Options{})
		v := verdicts{items: map[string]string{}, findings: map[string][]string{}}
		for _, it := range rep.Items {
			if _, ok := regionItems[it.ID]; ok {
				v.items[it.ID] = it.Status + " " + it.Reason
			}
		}
		for _, f := range rep.Findings {
			if byItem[f.Check] {
				// The object a finding names: a cluster's resource name (Terraform names a
				// cluster by its address, the others by its name) or a Kubernetes object.
				v.findings[f.Check] = append(v.findings[f.Check], f.Object.Kind+"/"+f.Object.Name)
			}
		}
		for _, fs := range v.findings {
			sort.Strings(fs)
		}
		got[name] = v
	}
	for id, want := range regionItems {
		for name, v := range got {
			if status, _, _ := strings.Cut(v.items[id], " "); status != want {
				t.Errorf("%s: item %s is %s, want %s", name, id, v.items[id], want)
			}
		}
	}
	for check := range byItem {
		var counts []string
		for _, name := range []string{"az", "template", "terraform", "live"} {
			counts = append(counts, fmt.Sprintf("%s %d", name, len(got[name].findings[check])))
		}
		want := len(got["az"].findings[check])
		for _, name := range []string{"template", "terraform", "live"} {
			if len(got[name].findings[check]) != want {
				t.Errorf("check %s: findings differ (%s)\naz:   %v\n%s: %v", check, strings.Join(counts, ", "), got["az"].findings[check], name, got[name].findings[check])
			}
		}
	}
}
