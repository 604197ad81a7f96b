package audit

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/history"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/scan"
)

// hostileCluster is a configured cluster name with markup: it must show as text.
const hostileCluster = `dev <img src=x onerror="window.pwned=1">`

// fleetAuditor returns the auditor of cluster prod over an SQLite history that three
// clusters share, each recording through its own Store on the one file: prod (shop/web and
// pay/api privileged), staging (shop/web privileged) and a third with a hostile name and
// nothing privileged. Each recorded two audits, at t0 and t0+1h.
func fleetAuditor(t *testing.T) *Auditor {
	t.Helper()
	file := filepath.Join(t.TempDir(), "fleet.db")
	req := scan.Request{Catalog: catalog.MustLoad(), Checks: checks.All(), Version: "test"}
	var prod *history.Store
	for name, manifests := range map[string]string{
		"prod":         deployment("shop", "web", true) + deployment("pay", "api", true),
		"staging":      deployment("shop", "web", true),
		hostileCluster: deployment("shop", "web", false),
	} {
		s, err := history.Open(t.Context(), file, history.WithCluster(name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if name == "prod" {
			prod = s
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "all.yaml"), []byte(manifests), 0o600); err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			at := t0.Add(time.Duration(i) * time.Hour)
			req.Now = func() time.Time { return at }
			rep := scan.Evaluate(t.Context(), req, load.Load(t.Context(), []string{dir}, load.Options{}))
			if _, err := s.Record(t.Context(), at, at.Add(time.Second), rep); err != nil {
				t.Fatal(err)
			}
		}
	}
	a, err := New(Options{Scan: req, Cluster: &fileCluster{t: t, dir: t.TempDir()}, Store: prod,
		Now: func() time.Time { return t0.Add(3 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func getJSON(t *testing.T, h http.Handler, u string, v any) {
	t.Helper()
	code, body := get(t, h, u)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", u, code, body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("GET %s: %v\n%s", u, err, body)
	}
}

func TestFleetAPI(t *testing.T) {
	t.Parallel()
	h := fleetAuditor(t).Handler()
	var fleet []history.ClusterScore
	getJSON(t, h, "/api/v1/fleet", &fleet)
	if len(fleet) != 3 || fleet[2].Cluster != hostileCluster || fleet[0].Score == nil || fleet[2].Score == nil ||
		*fleet[0].Score > *fleet[2].Score || fleet[0].Findings <= fleet[2].Findings {
		t.Fatalf("fleet %+v", fleet)
	}
	var items []history.FleetItem
	getJSON(t, h, "/api/v1/fleet/items?limit=1000", &items)
	// The items of the fixtures' shortcomings fail everywhere (privileged or not).
	if len(items) == 0 || items[0].Clusters != 3 || items[0].Failing != 3 ||
		!slices.Equal(items[0].FailingIn, []string{hostileCluster, "prod", "staging"}) {
		t.Fatalf("fleet items %+v", items)
	}
	var worst []history.Finding
	getJSON(t, h, "/api/v1/fleet/findings?limit=5", &worst)
	if len(worst) != 5 || worst[0].Cluster == "" {
		t.Fatalf("worst findings %+v", worst)
	}
	// The server's own cluster by default; another with cluster=.
	var own, staging []history.Finding
	getJSON(t, h, "/api/v1/findings?new-since=2026-11-30T00:00:00Z&limit=1000", &own)
	getJSON(t, h, "/api/v1/findings?new-since=2026-11-30T00:00:00Z&limit=1000&cluster=staging", &staging)
	if !hasObject(own, "pay", "api") || hasObject(staging, "pay", "api") || !hasObject(staging, "shop", "web") {
		t.Fatalf("own %d findings, staging's %d: the cluster parameter does not choose", len(own), len(staging))
	}
	for _, f := range append(own, staging...) {
		if f.Cluster != "" {
			t.Errorf("a cluster's findings carry their cluster %q: the single-cluster answer changed", f.Cluster)
		}
	}
	var rep report.Report
	getJSON(t, h, "/api/v1/reports/latest?cluster="+url.QueryEscape(hostileCluster), &rep)
	if len(rep.Findings) == 0 || rep.GeneratedAt != t0.Add(time.Hour).Format(time.RFC3339) {
		t.Fatalf("the hostile cluster's latest report: %d findings at %s", len(rep.Findings), rep.GeneratedAt)
	}
	var reports []json.RawMessage
	getJSON(t, h, "/api/v1/reports?since=2026-11-30T00:00:00Z&cluster=staging", &reports)
	if len(reports) != 2 {
		t.Fatalf("staging's reports: %d, want 2", len(reports))
	}
	for u, want := range map[string]int{
		"/api/v1/findings?new-since=2026-11-30T00:00:00Z&cluster=nope": http.StatusNotFound,
		"/api/v1/reports/latest?cluster=nope":                          http.StatusNotFound,
		"/api/v1/reports/latest?cluster=a%0Ab":                         http.StatusBadRequest,
		"/api/v1/reports/latest?since=2026-11-30T00:00:00Z":            http.StatusBadRequest,
		"/api/v1/fleet?limit=3":                                        http.StatusBadRequest,
		"/api/v1/fleet/items?limit=0":                                  http.StatusBadRequest,
		"/api/v1/fleet/findings?cluster=prod":                          http.StatusBadRequest,
	} {
		if code, body := get(t, h, u); code != want || !strings.Contains(body, `"error"`) {
			t.Errorf("GET %s: %d %s, want %d", u, code, body, want)
		}
	}
}

func hasObject(fs []history.Finding, ns, name string) bool {
	for _, f := range fs {
		if f.Object.Namespace == ns && f.Object.Name == name {
			return true
		}
	}
	return false
}

func TestFleetPage(t *testing.T) {
	t.Parallel()
	h := fleetAuditor(t).Handler()
	rec, body := getPage(t, h, "/fleet")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /fleet: %d %s", rec.Code, body)
	}
	ranking := section(t, body, `id="ranking"`, `</table>`)
	prod, staging, dev := strings.Index(ranking, `data-cluster="prod"`), strings.Index(ranking, `data-cluster="staging"`),
		strings.Index(ranking, `data-cluster="dev`)
	if prod < 0 || staging < 0 || dev < 0 || prod > dev || staging > dev {
		t.Errorf("ranking: prod at %d, staging at %d, the clean cluster at %d:\n%s", prod, staging, dev, ranking)
	}
	for _, want := range []string{`href="/?cluster=prod"`, `href="/?cluster=dev%20%3cimg%20src%3dx%20onerror%3d%22window.pwned%3d1%22%3e"`,
		`prod</a> (this server)`, `id="fleet-items"`, `id="fleet-findings"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the fleet page has no %s", want)
		}
	}
	if strings.Contains(body, `<img src=x`) || strings.Count(body, "<script") != 0 {
		t.Error("the hostile cluster name is not escaped, or the page runs a script")
	}
	if rec, body := getPage(t, h, "/fleet?x=1"); rec.Code != http.StatusBadRequest {
		t.Errorf("/fleet?x=1: %d %s", rec.Code, body)
	}

	// Each cluster's own dashboard: staging's shows its findings and keeps the cluster in the
	// form; the server's own is unchanged by the others.
	rec, body = getPage(t, h, "/?cluster=staging&since=7d")
	if rec.Code != http.StatusOK || !strings.Contains(body, `<strong id="cluster-name">staging</strong> (not this server's)`) ||
		!strings.Contains(body, `<input type="hidden" name="cluster" value="staging">`) {
		t.Fatalf("/?cluster=staging: %d\n%s", rec.Code, section(t, body, "<header>", "</header>"))
	}
	if strings.Contains(section(t, body, `id="changes"`, `</section>`), "pay/api") {
		t.Error("staging's dashboard lists prod's findings")
	}
	_, body = getPage(t, h, "/?since=7d")
	if !strings.Contains(section(t, body, `id="changes"`, `</section>`), "pay/api") || strings.Contains(body, `name="cluster"`) {
		t.Error("the server's own dashboard lost its findings, or its form names a cluster")
	}
	if rec, _ := getPage(t, h, "/?cluster=nope"); rec.Code != http.StatusNotFound {
		t.Errorf("/?cluster=nope: %d", rec.Code)
	}
}
