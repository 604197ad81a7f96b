package azure

import (
	"os"
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

func newClient(t testing.TB, srv *azuretest.Server) *Client {
	t.Helper()
	c, err := New(Options{Credential: azuretest.Credential{}, ClientOptions: srv.ClientOptions()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func count(reqs []string, suffix string) int {
	n := 0
	for _, r := range reqs {
		if strings.HasSuffix(strings.ToLower(r), strings.ToLower(suffix)) {
			n++
		}
	}
	return n
}

func clusterOf(t testing.TB, scan *subject.Scan) *subject.Cluster {
	t.Helper()
	for _, s := range scan.Others {
		if c, ok := s.(*subject.Cluster); ok {
			return c
		}
	}
	t.Fatalf("no cluster in the scan (errors %+v)", scan.Errors)
	return nil
}

// Everything around a cluster is read through the real SDK clients, through a 429 with
// Retry-After and a nextLink, into the ARM model.
func TestLoadCluster(t *testing.T) {
	t.Parallel()
	srv := azuretest.NewServer()
	defer srv.Close()
	srv.Throttle(azuretest.ClusterID, 1)
	scan := newClient(t, srv).Load(t.Context(), azuretest.ClusterID, []string{azuretest.RegistryHost})
	if len(scan.Errors) > 0 {
		t.Fatalf("errors: %+v", scan.Errors)
	}
	reqs := srv.Requests()
	if n := count(reqs, "/managedClusters/aks-shop"); n != 2 {
		t.Errorf("the cluster was requested %d times, want 2 (429, then the retry)", n)
	}
	if n := count(reqs, "/agentPools"); n != 2 {
		t.Errorf("agent pools were requested %d times, want 2 pages (nextLink)", n)
	}
	c := clusterOf(t, scan)
	if !strings.EqualFold(c.ID, azuretest.ClusterID) || c.Name != "aks-shop" || c.Input != subject.InputARM {
		t.Errorf("cluster = %s %s %s", c.ID, c.Name, c.Input)
	}
	var pools []string
	for _, p := range c.Pools {
		pools = append(pools, p.Name)
	}
	sort.Strings(pools)
	if strings.Join(pools, ",") != "apps,system" {
		t.Errorf("pools = %v, want both pages", pools)
	}
	if len(c.Maintenance) != 1 || !c.MaintenanceKnown || len(c.Diagnostics) != 1 || !c.DiagnosticsKnown {
		t.Errorf("maintenance %d (known %v), diagnostics %d (known %v)", len(c.Maintenance), c.MaintenanceKnown, len(c.Diagnostics), c.DiagnosticsKnown)
	}
	if c.Pricing == nil || c.Upgrades == nil || c.Versions == nil {
		t.Errorf("pricing %v, upgrades %v, versions %v: want all", c.Pricing != nil, c.Upgrades != nil, c.Versions != nil)
	}
	registries := 0
	for _, s := range scan.Others {
		if _, ok := s.(*subject.Registry); ok {
			registries++
		}
	}
	if registries != 1 {
		t.Errorf("%d registries, want the one the images come from", registries)
	}
	if !scan.Evidence[catalog.ARM] || !scan.Evidence[catalog.ACR] {
		t.Errorf("evidence = %v", scan.Evidence)
	}
}

// A 403 on one part is an error entry naming it; the rest is read, and what it would have
// proved is unknown, not absent.
func TestForbiddenPart(t *testing.T) {
	t.Parallel()
	srv := azuretest.NewServer()
	defer srv.Close()
	srv.Forbid(azuretest.ClusterID + "/providers/Microsoft.Insights/diagnosticSettings")
	scan := newClient(t, srv).Load(t.Context(), azuretest.ClusterID, nil)
	if len(scan.Errors) != 1 || !strings.Contains(scan.Errors[0].Message, "diagnostic settings") || !strings.Contains(scan.Errors[0].Message, "forbidden (AuthorizationFailed)") {
		t.Fatalf("errors = %+v", scan.Errors)
	}
	if c := clusterOf(t, scan); c.DiagnosticsKnown || len(c.Pools) != 2 {
		t.Errorf("diagnostics known %v, pools %d", c.DiagnosticsKnown, len(c.Pools))
	}
}

// A cluster that cannot be read is one error entry and nothing else.
func TestUnreadableCluster(t *testing.T) {
	t.Parallel()
	srv := azuretest.NewServer()
	defer srv.Close()
	scan := newClient(t, srv).Load(t.Context(), azuretest.LockedClusterID, nil)
	if len(scan.Errors) != 1 || scan.Errors[0].Source != azuretest.LockedClusterID || !strings.Contains(scan.Errors[0].Message, "forbidden") {
		t.Errorf("errors = %+v", scan.Errors)
	}
	if len(scan.Others) != 0 || len(scan.Inputs) != 1 {
		t.Errorf("others %d, inputs %+v", len(scan.Others), scan.Inputs)
	}
	if scan := newClient(t, srv).Load(t.Context(), "/subscriptions/x/resourceGroups/y", nil); len(scan.Errors) != 1 {
		t.Errorf("a bad ID: errors = %+v", scan.Errors)
	}
}

func TestResourceGraph(t *testing.T) {
	t.Parallel()
	srv := azuretest.NewServer()
	defer srv.Close()
	c := newClient(t, srv)
	ids, err := c.ListClusters(t.Context(), []string{azuretest.Subscription})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 || count(srv.Requests(), "/providers/Microsoft.ResourceGraph/resources") != 2 {
		t.Errorf("clusters %v after %d queries: want both pages ($skipToken)", ids, count(srv.Requests(), "/resources"))
	}
	id, err := c.FindByFQDN(t.Context(), strings.ToUpper(azuretest.FQDN))
	if err != nil || id != azuretest.ClusterID {
		t.Errorf("FindByFQDN = %q, %v", id, err)
	}
	if _, err := c.FindByFQDN(t.Context(), "other.hcp.westeurope.azmk8s.io"); err == nil || !strings.Contains(err.Error(), "--aks-resource-id") {
		t.Errorf("an unknown FQDN: %v", err)
	}
	if _, err := c.FindByFQDN(t.Context(), "x' or 1==1"); err == nil {
		t.Error("a host name with a quote went into the query")
	}
	// In a pod the API server is kubernetes.default.svc: the Nodes' resource group finds it.
	id, err = c.FindByNodeResourceGroup(t.Context(), azuretest.Subscription, strings.ToLower(azuretest.NodeResourceGroup))
	if err != nil || id != azuretest.ClusterID {
		t.Errorf("FindByNodeResourceGroup = %q, %v", id, err)
	}
	if _, err := c.FindByNodeResourceGroup(t.Context(), azuretest.Subscription, "MC_other"); err == nil || !strings.Contains(err.Error(), "--aks-resource-id") {
		t.Errorf("an unknown node resource group: %v", err)
	}
	if _, err := c.FindByNodeResourceGroup(t.Context(), "", "rg' or 1==1"); err == nil {
		t.Error("a resource group with a quote went into the query")
	}
}

// The same resources read through the API and saved as files give the same findings.
func TestSameFindingsAsFiles(t *testing.T) {
	t.Parallel()
	srv := azuretest.NewServer()
	defer srv.Close()
	cat := catalog.MustLoad()
	run := func(scan *subject.Scan) []string {
		rep := engine.Run(t.Context(), cat, checks.All(), scan, engine.Options{})
		var out []string
		for _, f := range rep.Findings {
			if f.Object.Kind == "Image" || f.Object.Kind == "Microsoft.Security/assessments" {
				// Defender for Cloud's findings come from Resource Graph only: no file
				// holds them (defender_test.go).
				continue
			}
			out = append(out, f.Check+" "+f.Severity.String()+" "+f.Object.Kind+"/"+f.Object.Name+": "+f.Message)
		}
		sort.Strings(out)
		return out
	}
	viaAPI := run(newClient(t, srv).Load(t.Context(), azuretest.ClusterID, []string{azuretest.RegistryHost}))

	dir := t.TempDir()
	files, err := azuretest.Fixtures()
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fromFiles := load.Load(t.Context(), []string{dir}, load.Options{})
	if len(fromFiles.Errors) > 0 {
		t.Fatalf("the fixtures do not load as files: %+v", fromFiles.Errors)
	}
	viaFiles := run(fromFiles)
	if len(viaAPI) == 0 {
		t.Fatal("no finding at all: the fixtures should hold some")
	}
	t.Logf("%d findings either way:\n%s", len(viaAPI), strings.Join(viaAPI, "\n"))
	if strings.Join(viaAPI, "\n") != strings.Join(viaFiles, "\n") {
		t.Errorf("findings differ\nthrough the API:\n%s\n\nfrom the same resources as files:\n%s", strings.Join(viaAPI, "\n"), strings.Join(viaFiles, "\n"))
	}
	if it := testutil.Item(engine.Run(t.Context(), cat, checks.All(), fromFiles, engine.Options{}), "cluster.upgrade-channel").Status; it != report.StatusFail {
		t.Errorf("cluster.upgrade-channel is %s from files, want fail (upgradeChannel none)", it)
	}
}
