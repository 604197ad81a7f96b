package azure

import (
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load/azure/azuretest"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
	"github.com/akscheck/akscheck/internal/testutil"
)

const fleetSeed = 20261206

// fleetServer serves the fixture cluster and n generated ones.
func fleetServer(t testing.TB, n int) (*azuretest.Server, []string) {
	t.Helper()
	srv := azuretest.NewServer()
	ids, err := srv.AddClusters(n, fleetSeed)
	if err != nil {
		t.Fatal(err)
	}
	return srv, append(ids, azuretest.ClusterID)
}

// readFleet reads the fleet of the server's subscriptions.
func readFleet(t testing.TB, c *Client) *Fleet {
	t.Helper()
	f, err := c.ReadFleet(t.Context(), []string{azuretest.Subscription, azuretest.Subscription2})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func graphQueries(reqs []string) int {
	return count(reqs, "/providers/Microsoft.ResourceGraph/resources")
}

// A cluster read through Resource Graph becomes the model ARM's Get makes of it: the same
// cluster, pools (from agentPoolProfiles), maintenance configurations, diagnostic settings,
// versions and Defender plan, at the same sources, but for the upgrade profile, which the
// fleet does not read (fleet.go says why).
func TestFleetSameModel(t *testing.T) {
	t.Parallel()
	srv, ids := fleetServer(t, 40)
	defer srv.Close()
	c := newClient(t, srv)
	f := readFleet(t, c)
	if got := f.IDs(); len(got) != len(ids)+1 {
		t.Fatalf("the fleet has %d clusters, want %d and aks-locked", len(got), len(ids))
	}
	for _, id := range ids {
		viaARM, viaGraph := c.Load(t.Context(), id, nil), f.Load(t.Context(), id, nil)
		if len(viaARM.Errors) > 0 || len(viaGraph.Errors) > 0 {
			t.Fatalf("%s: errors %+v / %+v", id, viaARM.Errors, viaGraph.Errors)
		}
		a, g := clusterOf(t, viaARM), clusterOf(t, viaGraph)
		if a.Upgrades == nil || g.Upgrades != nil {
			t.Errorf("%s: upgrade profile read through ARM %v, through the fleet %v", id, a.Upgrades != nil, g.Upgrades != nil)
		}
		a.Upgrades = nil
		// The region's versions are read once per region, through the first subscription
		// with a cluster there: the same list, named by another subscription.
		if a.Versions == nil || g.Versions == nil {
			t.Fatalf("%s: versions %v / %v", id, a.Versions != nil, g.Versions != nil)
		}
		a.Versions.Source, g.Versions.Source = subject.Location{}, subject.Location{}
		if !reflect.DeepEqual(a, g) {
			t.Errorf("%s: the models differ\nthrough ARM:   %s\nthrough Graph: %s", id, describeCluster(a), describeCluster(g))
		}
	}
}

// describeCluster prints a cluster's fields for a failing comparison.
func describeCluster(c *subject.Cluster) string {
	var pools []string
	for _, p := range c.Pools {
		pools = append(pools, fmt.Sprintf("%+v", *p))
	}
	return fmt.Sprintf("%+v\npools: %s", *c, strings.Join(pools, "\n"))
}

// The reports of a fleet's clusters are the same read either way: findings with their
// locations, and every item's status and reason.
func TestFleetSameReports(t *testing.T) {
	t.Parallel()
	srv, ids := fleetServer(t, 40)
	defer srv.Close()
	c := newClient(t, srv)
	f := readFleet(t, c)
	cat := catalog.MustLoad()
	summary := func(scan *subject.Scan) []string {
		rep := engine.Run(t.Context(), cat, checks.All(), scan, engine.Options{})
		var out []string
		for _, fd := range rep.Findings {
			out = append(out, fmt.Sprintf("finding %s %s %s/%s %s:%d %s: %s", fd.Check, fd.Severity, fd.Object.Kind, fd.Object.Name,
				fd.Location.File, fd.Location.Line, fd.Location.Path, fd.Message))
		}
		for _, it := range rep.Items {
			out = append(out, "item "+it.ID+" "+it.Status+" "+it.Reason)
		}
		sort.Strings(out)
		return out
	}
	findings := 0
	statuses := map[string]int{}
	for _, id := range ids {
		a, g := summary(c.Load(t.Context(), id, nil)), summary(f.Load(t.Context(), id, nil))
		if strings.Join(a, "\n") != strings.Join(g, "\n") {
			t.Errorf("%s: the reports differ\nthrough ARM:\n%s\n\nthrough Resource Graph:\n%s", id, strings.Join(a, "\n"), strings.Join(g, "\n"))
		}
		for _, l := range a {
			if strings.HasPrefix(l, "finding ") {
				findings++
			} else {
				statuses[strings.Fields(l)[2]]++
			}
		}
	}
	if findings == 0 || statuses[report.StatusFail] == 0 || statuses[report.StatusPass] == 0 {
		t.Errorf("%d findings, items %v: the generated fleet should pass and fail items", findings, statuses)
	}
	t.Logf("%d clusters: %d findings, items %v, the same either way", len(ids), findings, statuses)
}

// Resource Graph's pages are followed by $skipToken, $top asks its maximum, and a page
// throttled with 429 and Retry-After is retried by the SDK's retry policy.
func TestFleetPagingAndThrottling(t *testing.T) {
	t.Parallel()
	srv, ids := fleetServer(t, 10)
	defer srv.Close()
	srv.PageSize = 3
	srv.ThrottleQueryPage("page-from-6", 1)
	f := readFleet(t, newClient(t, srv))
	want := len(ids) + 1 // and aks-locked
	if got := len(f.IDs()); got != want {
		t.Errorf("%d clusters, want %d across the pages", got, want)
	}
	pages := (want + 2) / 3
	if n := graphQueries(srv.Requests()); n != pages+1 {
		t.Errorf("%d Resource Graph queries, want %d pages and the retry of the throttled one", n, pages)
	}
	if !sort.SliceIsSorted(f.IDs(), func(i, j int) bool { return strings.ToLower(f.IDs()[i]) < strings.ToLower(f.IDs()[j]) }) {
		t.Errorf("IDs not sorted: %v", f.IDs())
	}
}

// A query throttled past the retries is an error naming the page; nothing is listed.
func TestFleetThrottledOut(t *testing.T) {
	t.Parallel()
	srv := azuretest.NewServer()
	defer srv.Close()
	srv.ThrottleQueryPage("", 10)
	_, err := newClient(t, srv).ReadFleet(t.Context(), []string{azuretest.Subscription})
	if err == nil || !strings.Contains(err.Error(), "page 1") || !strings.Contains(err.Error(), "throttled (429") {
		t.Errorf("err = %v", err)
	}
}

// An exhausted Resource Graph quota waits for its reset before the next page, and the read
// completes.
func TestFleetQuota(t *testing.T) {
	t.Parallel()
	srv := azuretest.NewServer()
	defer srv.Close()
	srv.QuotaRemaining, srv.QuotaResetsAfter = 0, "00:00:01"
	f := readFleet(t, newClient(t, srv))
	if len(f.IDs()) != 2 || graphQueries(srv.Requests()) != 2 {
		t.Errorf("%d clusters after %d queries", len(f.IDs()), graphQueries(srv.Requests()))
	}
	for _, tc := range []struct {
		remaining, resets string
		want              time.Duration
	}{
		{"0", "00:00:03", 3 * time.Second},
		{"0", "01:00:00", time.Minute},
		{"4", "00:00:03", 0},
		{"0", "soon", 0},
		{"", "", 0},
	} {
		resp := &http.Response{Header: http.Header{}}
		resp.Header.Set("x-ms-user-quota-remaining", tc.remaining)
		resp.Header.Set("x-ms-user-quota-resets-after", tc.resets)
		if got := quotaWait(resp, 0); got != tc.want {
			t.Errorf("quotaWait(%q, %q) = %s, want %s", tc.remaining, tc.resets, got, tc.want)
		}
	}
}

// A cluster whose maintenance configurations cannot be read: an error entry naming them,
// and the items they decide are not evaluated, saying why; the rest of the cluster is judged.
// A throttled list is retried.
func TestFleetMaintenanceUnreadable(t *testing.T) {
	t.Parallel()
	srv := azuretest.NewServer()
	defer srv.Close()
	c := newClient(t, srv)
	f := readFleet(t, c)
	scan := f.Load(t.Context(), azuretest.LockedClusterID, nil)
	var sources []string
	for _, e := range scan.Errors {
		if !strings.Contains(e.Message, "forbidden (AuthorizationFailed)") {
			t.Errorf("error %+v", e)
		}
		sources = append(sources, strings.TrimPrefix(e.Source, azuretest.LockedClusterID))
	}
	if strings.Join(sources, " ") != "/agentPools/system/upgradeProfiles/default /maintenanceConfigurations /providers/Microsoft.Insights/diagnosticSettings"+
		" /providers/Microsoft.Authorization/policyAssignments"+
		" /providers/Microsoft.KubernetesConfiguration/extensions /providers/Microsoft.KubernetesConfiguration/fluxConfigurations" {
		t.Errorf("errors name %v", sources)
	}
	cl := clusterOf(t, scan)
	if cl.MaintenanceKnown || cl.DiagnosticsKnown || len(cl.Pools) != 1 || !cl.PrivateCluster.True() {
		t.Errorf("maintenance known %v, diagnostics known %v, pools %d, private %v", cl.MaintenanceKnown, cl.DiagnosticsKnown, len(cl.Pools), cl.PrivateCluster)
	}
	rep := engine.Run(t.Context(), catalog.MustLoad(), checks.All(), scan, engine.Options{})
	for _, id := range []string{"cluster.upgrade-channel"} {
		it := testutil.Item(rep, id)
		if it.Status != report.StatusNotEvaluated || !strings.Contains(it.Reason, "maintenance configurations of cluster aks-locked") {
			t.Errorf("%s is %s (%s), want not evaluated for want of the maintenance configurations", id, it.Status, it.Reason)
		}
	}
	if it := testutil.Item(rep, "cluster.private-cluster"); it.Status != report.StatusPass {
		t.Errorf("cluster.private-cluster is %s (%s): the cluster's own settings are read", it.Status, it.Reason)
	}

	// A throttled list is retried (429, Retry-After), then read.
	srv.Throttle(azuretest.ClusterID+"/maintenanceConfigurations", 1)
	scan = f.Load(t.Context(), azuretest.ClusterID, nil)
	if cl := clusterOf(t, scan); len(scan.Errors) > 0 || !cl.MaintenanceKnown || len(cl.Maintenance) != 1 {
		t.Errorf("after a 429: errors %+v, maintenance known %v (%d)", scan.Errors, cl.MaintenanceKnown, len(cl.Maintenance))
	}
	if n := count(srv.Requests(), "/maintenanceConfigurations"); n < 3 {
		t.Errorf("%d maintenance requests: want the locked one, the 429 and its retry", n)
	}

	// The same through one forbidden list on a readable cluster.
	srv.Forbid(azuretest.ClusterID + "/maintenanceConfigurations")
	scan = f.Load(t.Context(), azuretest.ClusterID, nil)
	if len(scan.Errors) != 1 || scan.Errors[0].Source != azuretest.ClusterID+"/maintenanceConfigurations" {
		t.Errorf("errors %+v", scan.Errors)
	}
	if cl := clusterOf(t, scan); cl.MaintenanceKnown || !cl.DiagnosticsKnown {
		t.Errorf("maintenance known %v, diagnostics known %v", cl.MaintenanceKnown, cl.DiagnosticsKnown)
	}
}

// What clusters share is read once for the fleet (each region's versions, each
// subscription's Defender plan) and its failure is an error entry of every cluster it
// concerns; a cluster Resource Graph did not list, or a bad ID, is an error entry.
func TestFleetShared(t *testing.T) {
	t.Parallel()
	srv, ids := fleetServer(t, 30)
	defer srv.Close()
	srv.Forbid("/subscriptions/" + azuretest.Subscription2 + "/providers/Microsoft.Security/pricings/Containers")
	f := readFleet(t, newClient(t, srv))
	var wg sync.WaitGroup
	scans := make([]*subject.Scan, len(ids))
	for i, id := range ids {
		wg.Go(func() { scans[i] = f.Load(t.Context(), id, nil) })
	}
	wg.Wait()
	reqs := srv.Requests()
	if n := count(reqs, "/kubernetesVersions"); n != 4 {
		t.Errorf("the regions' versions were read %d times, want once per region (4)", n)
	}
	if n := count(reqs, "/pricings/Containers"); n != 2 {
		t.Errorf("the Defender plans were read %d times, want once per subscription (2)", n)
	}
	if n := count(reqs, "/upgradeProfiles/default") - countPools(scans); n != 0 {
		t.Errorf("%d upgrade profiles beyond the pools' own", n)
	}
	for i, s := range scans {
		inSub2 := strings.Contains(ids[i], azuretest.Subscription2)
		if (len(s.Errors) == 1) != inSub2 || inSub2 && !strings.Contains(s.Errors[0].Message, "Defender for Containers plan: forbidden") {
			t.Errorf("%s: errors %+v", ids[i], s.Errors)
		}
		if cl := clusterOf(t, s); (cl.Pricing == nil) != inSub2 {
			t.Errorf("%s: pricing %v", ids[i], cl.Pricing)
		}
	}
	other := "/subscriptions/" + azuretest.Subscription + "/resourceGroups/x/providers/Microsoft.ContainerService/managedClusters/absent"
	if s := f.Load(t.Context(), other, nil); len(s.Errors) != 1 || !strings.Contains(s.Errors[0].Message, "not among the AKS clusters") {
		t.Errorf("an unlisted cluster: %+v", s.Errors)
	}
	if s := f.Load(t.Context(), "/subscriptions/x", nil); len(s.Errors) != 1 {
		t.Errorf("a bad ID: %+v", s.Errors)
	}
}

func countPools(scans []*subject.Scan) int {
	n := 0
	for _, s := range scans {
		for _, o := range s.Others {
			if c, ok := o.(*subject.Cluster); ok {
				n += len(c.Pools)
			}
		}
	}
	return n
}

// A Resource Graph row without agentPoolProfiles: the pools are listed through ARM.
func TestFleetPoolsFallback(t *testing.T) {
	t.Parallel()
	doc := clusterDocument(map[string]any{"id": azuretest.ClusterID, "name": "aks-shop", "type": "microsoft.containerservice/managedclusters",
		"location": "westeurope", "tags": nil, "properties": map[string]any{"kubernetesVersion": "1.35.3", "aadProfile": nil}})
	if _, ok := doc["tags"]; ok {
		t.Errorf("null tags kept: %v", doc)
	}
	if props := doc["properties"].(map[string]any); len(props) != 1 {
		t.Errorf("properties %v: nulls kept", props)
	}
	if doc["type"] != "Microsoft.ContainerService/ManagedClusters" {
		t.Errorf("type %v", doc["type"])
	}
	if _, ok := poolsOf(doc); ok {
		t.Error("a row without agentPoolProfiles has pools")
	}
	srv := azuretest.NewServer()
	defer srv.Close()
	f := &Fleet{c: newClient(t, srv), ids: []string{azuretest.ClusterID}, docs: map[string]map[string]any{strings.ToLower(azuretest.ClusterID): doc},
		regionSub: map[string]string{"westeurope": azuretest.Subscription}, versions: map[string]*shared{}, pricing: map[string]*shared{}}
	scan := f.Load(t.Context(), azuretest.ClusterID, nil)
	if len(scan.Errors) > 0 || len(clusterOf(t, scan).Pools) != 2 || count(srv.Requests(), "/agentPools") != 2 {
		t.Errorf("errors %+v, pools %d after %d agentPools requests", scan.Errors, len(clusterOf(t, scan).Pools), count(srv.Requests(), "/agentPools"))
	}
}
