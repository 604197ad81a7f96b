package azure

import (
	"net/http"
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
	"github.com/akscheck/akscheck/internal/testutil"
)

func regionsServer(t testing.TB) *azuretest.Server {
	t.Helper()
	srv := azuretest.NewServer()
	if err := srv.AddRegions(); err != nil {
		srv.Close()
		t.Fatal(err)
	}
	return srv
}

// What lies around a cluster is read through the real SDK clients and Resource Graph, two
// pages of extensions included, into the model the files make: the extensions, Flux
// configurations and backup instances tied to the cluster and known in full, the pool's
// subnet, the subscription's routing profiles with the Front Door origins, and its WAF
// policies.
func TestLoadExtras(t *testing.T) {
	t.Parallel()
	srv := regionsServer(t)
	defer srv.Close()
	scan := newClient(t, srv).Load(t.Context(), azuretest.RegionsWestID, nil)
	if len(scan.Errors) > 0 {
		t.Fatalf("errors: %+v", scan.Errors)
	}
	reqs := srv.Requests()
	if n := count(reqs, "/providers/Microsoft.KubernetesConfiguration/extensions"); n != 2 {
		t.Errorf("extensions were requested %d times, want 2 pages (nextLink)", n)
	}
	for _, suffix := range []string{"/fluxConfigurations", "/subnets/snet-nodes", "/afd-shop/originGroups", "/originGroups/og-shop/origins"} {
		if n := count(reqs, suffix); n != 1 {
			t.Errorf("%s was requested %d times, want 1", suffix, n)
		}
	}
	// The replay server pages Resource Graph one row at a time: the two profiles take two.
	// Defender for Cloud's recommendations and image assessments (defender.go) are two more.
	if n := count(reqs, "/providers/Microsoft.ResourceGraph/resources"); n != 6 {
		t.Errorf("%d Resource Graph queries, want 6 (backup instances, routing profiles in two pages, WAF policies, Defender's two)", n)
	}
	var c *subject.Cluster
	var subnets, waf []string
	var profiles, endpoints []string
	for _, s := range scan.Others {
		switch s := s.(type) {
		case *subject.Cluster:
			if c != nil {
				t.Errorf("a second cluster %s: a part was not tied to the cluster", s.ID)
			}
			c = s
		case *subject.Subnet:
			subnets = append(subnets, s.Name+" "+strings.Join(s.AddressPrefixes.V, ","))
		case *subject.WAFPolicy:
			waf = append(waf, s.Service+" "+s.Name+" "+s.Mode.V)
		case *subject.TrafficProfile:
			profiles = append(profiles, s.Service+" "+s.Name)
			for _, e := range s.Endpoints {
				endpoints = append(endpoints, e.Profile+"/"+e.Name+" "+strings.Join(e.Regions(map[string]bool{"westeurope": true, "northeurope": true}), ","))
			}
		case *subject.TrafficEndpoint:
			endpoints = append(endpoints, e(s))
		}
	}
	if c == nil {
		t.Fatal("no cluster")
	}
	var exts []string
	for _, x := range c.Extensions {
		exts = append(exts, x.Name+" "+x.ExtensionType.V)
	}
	sort.Strings(exts)
	if strings.Join(exts, "; ") != "azure-aks-backup microsoft.dataprotection.kubernetes; flux microsoft.flux" || !c.ExtensionsKnown {
		t.Errorf("extensions %v (known %v), want both pages", exts, c.ExtensionsKnown)
	}
	if len(c.FluxConfigs) != 1 || !c.FluxConfigsKnown || c.FluxConfigs[0].Suspend.V || len(c.Backups) != 1 || !c.BackupsKnown {
		t.Errorf("flux %d (known %v), backups %d (known %v)", len(c.FluxConfigs), c.FluxConfigsKnown, len(c.Backups), c.BackupsKnown)
	}
	if strings.Join(subnets, ";") != "snet-nodes 10.10.0.0/24" {
		t.Errorf("subnets %v", subnets)
	}
	sort.Strings(profiles)
	sort.Strings(endpoints)
	if strings.Join(profiles, "; ") != "Front Door afd-shop; Traffic Manager tm-shop" {
		t.Errorf("profiles %v", profiles)
	}
	if strings.Join(endpoints, "; ") != "afd-shop/ne northeurope; afd-shop/we westeurope; tm-shop/ne northeurope; tm-shop/we westeurope" {
		t.Errorf("endpoints %v", endpoints)
	}
	if strings.Join(waf, ";") != "Front Door wafshop Prevention" {
		t.Errorf("WAF policies %v", waf)
	}
	if !c.Reads.RoutingProfiles || !c.Reads.WAFPolicies || len(c.Reads.Unread) != 0 {
		t.Errorf("reads %+v", c.Reads)
	}
	if !scan.Evidence[catalog.ARM] {
		t.Errorf("evidence %v", scan.Evidence)
	}
}

func e(s *subject.TrafficEndpoint) string {
	return s.Profile + "/" + s.Name + " " + strings.Join(s.Regions(map[string]bool{"westeurope": true, "northeurope": true}), ",")
}

// A cluster with no extension, Flux configuration or backup instance, in a subscription
// without profiles or WAF policies: the lists are known and empty, so the checks decide.
func TestExtrasNoneMeansNone(t *testing.T) {
	t.Parallel()
	srv := azuretest.NewServer()
	defer srv.Close()
	scan := newClient(t, srv).Load(t.Context(), azuretest.ClusterID, nil)
	if len(scan.Errors) > 0 {
		t.Fatalf("errors: %+v", scan.Errors)
	}
	c := clusterOf(t, scan)
	if !c.ExtensionsKnown || !c.FluxConfigsKnown || !c.BackupsKnown || len(c.Backups) != 0 || !c.Reads.RoutingProfiles || !c.Reads.WAFPolicies {
		t.Errorf("extensions known %v, flux known %v, backups %d known %v, reads %+v", c.ExtensionsKnown, c.FluxConfigsKnown, len(c.Backups), c.BackupsKnown, c.Reads)
	}
	rep := engine.Run(t.Context(), catalog.MustLoad(), checks.All(), scan, engine.Options{})
	for id, want := range map[string]string{"storage.backup": report.StatusFail, "ops.gitops": report.StatusFail, "cluster.extensions": report.StatusFail} {
		if it := testutil.Item(rep, id); it.Status != want {
			t.Errorf("%s is %s (%s), want %s", id, it.Status, it.Reason, want)
		}
	}
}

// What the identity may not read is an error entry naming the role, and the checks that
// need it are not evaluated, never passed: the extensions (403), a pool's subnet (403), and
// every Resource Graph query (403: the backup instances, routing profiles, WAF policies).
func TestExtrasForbidden(t *testing.T) {
	t.Parallel()
	srv := regionsServer(t)
	defer srv.Close()
	srv.Forbid(azuretest.RegionsWestID + "/providers/Microsoft.KubernetesConfiguration/extensions")
	srv.Forbid(azuretest.RegionsNorthID + "/providers/Microsoft.KubernetesConfiguration/extensions")
	srv.Forbid("/subscriptions/" + azuretest.Subscription + "/resourceGroups/rg-shop-we/providers/Microsoft.Network")
	srv.Forbid("/subscriptions/" + azuretest.Subscription + "/resourceGroups/rg-shop-ne/providers/Microsoft.Network")
	srv.Fail("/providers/Microsoft.ResourceGraph/resources", http.StatusForbidden)
	c := newClient(t, srv)
	scan := c.Load(t.Context(), azuretest.RegionsWestID, nil)
	scan.Merge(c.Load(t.Context(), azuretest.RegionsNorthID, nil))
	var msgs []string
	for _, e := range scan.Errors {
		if !strings.Contains(e.Message, "forbidden") || !strings.Contains(e.Message, "Reader role") {
			t.Errorf("error %+v does not say it is forbidden and which role reads it", e)
		}
		msgs = append(msgs, strings.SplitN(e.Message, ":", 2)[0])
	}
	sort.Strings(msgs)
	want := "finding the backup instances finding the backup instances listing the WAF policies listing the WAF policies " +
		"listing the cluster extensions listing the cluster extensions listing the routing profiles listing the routing profiles " +
		"reading Defender for Cloud's image vulnerability assessments (Azure Resource Graph securityresources) " +
		"reading Defender for Cloud's image vulnerability assessments (Azure Resource Graph securityresources) " +
		"reading Defender for Cloud's recommendations for the cluster (Azure Resource Graph securityresources) " +
		"reading Defender for Cloud's recommendations for the cluster (Azure Resource Graph securityresources) " +
		"reading the pool's subnet reading the pool's subnet"
	if strings.Join(msgs, " ") != want {
		t.Errorf("errors %q\nwant   %q", strings.Join(msgs, " "), want)
	}
	scan.Merge(manifestScan(t))
	rep := engine.Run(t.Context(), catalog.MustLoad(), checks.All(), scan, engine.Options{})
	for _, id := range []string{"storage.backup", "ops.gitops", "cluster.extensions", "network.ip-planning", "network.waf", "cluster.traffic-management", "dr.traffic-manager"} {
		if it := testutil.Item(rep, id); it.Status != report.StatusNotEvaluated {
			t.Errorf("%s is %s (%s), want not evaluated", id, it.Status, it.Reason)
		}
	}
	if it := testutil.Item(rep, "network.waf"); !strings.Contains(it.Reason, subject.UnreadWAF+" could not be read") {
		t.Errorf("network.waf: %s", it.Reason)
	}
	if it := testutil.Item(rep, "cluster.traffic-management"); !strings.Contains(it.Reason, subject.UnreadRouting+" could not be read") {
		t.Errorf("cluster.traffic-management: %s", it.Reason)
	}
}

// manifestScan loads the shop's public Ingress and its PersistentVolumeClaim: what the WAF
// and backup checks judge.
func manifestScan(t testing.TB) *subject.Scan {
	t.Helper()
	scan := load.Load(t.Context(), []string{regionsManifests}, load.Options{})
	if len(scan.Errors) > 0 {
		t.Fatalf("%+v", scan.Errors)
	}
	return scan
}

// regionsManifests are the Kubernetes objects scanned with every form of the two-region
// estate.
var regionsManifests = filepath.Join("testdata", "regions", "shop.yaml")
