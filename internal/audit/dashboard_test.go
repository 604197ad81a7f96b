package audit

import (
	"crypto/sha256"
	"encoding/base64"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/history"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/render/dashboard"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/scan"
)

// hostile is text a cluster could carry into a finding (a message quoting a value, a
// namespace of a report written by someone else): it must show as text, never run.
const (
	hostileNamespace = `<script>window.pwned=1</script>`
	hostileMessage   = `bad value <img src=x onerror="window.pwned=1"> and </td></tr></table><script>window.pwned=1</script>`
)

// t0 is the first fixture audit; the dashboard's clock is at t0+3h.
var t0 = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func deployment(ns, name string, privileged bool) string {
	return strings.NewReplacer("NS", ns, "NAME", name).Replace(strings.Replace(privileged0, "PRIV", map[bool]string{true: "true", false: "false"}[privileged], 1))
}

const privileged0 = `apiVersion: apps/v1
kind: Deployment
metadata: {name: NAME, namespace: NS}
spec:
  selector: {matchLabels: {app: NAME}}
  template:
    metadata: {labels: {app: NAME}}
    spec:
      containers:
      - name: NAME
        image: nginx:1.27
        securityContext: {privileged: PRIV}
---
`

// dashboardAuditor returns an auditor over a store holding three audits, an hour apart
// (t0, t0+1h, t0+2h), recorded directly: (1) shop/web privileged; (2) the same and a
// finding with hostile text in its namespace and message; (3) shop/web fixed, pay/api new
// and privileged, the hostile finding still there.
func dashboardAuditor(t *testing.T) *Auditor {
	t.Helper()
	store, err := history.Open(t.Context(), filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	req := scan.Request{Catalog: catalog.MustLoad(), Checks: checks.All(), Version: "test"}
	hostile := report.Finding{Check: "privileged-container", Item: "", Severity: check.High, Message: hostileMessage,
		Object: report.Object{APIVersion: "apps/v1", Kind: "Deployment", Namespace: hostileNamespace, Name: "evil"}}
	for i, manifests := range []string{
		deployment("shop", "web", true),
		deployment("shop", "web", true),
		deployment("shop", "web", false) + deployment("pay", "api", true),
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "all.yaml"), []byte(manifests), 0o600); err != nil {
			t.Fatal(err)
		}
		at := t0.Add(time.Duration(i) * time.Hour)
		req.Now = func() time.Time { return at }
		rep := scan.Evaluate(t.Context(), req, load.Load(t.Context(), []string{dir}, load.Options{}))
		if i > 0 {
			for _, f := range rep.Findings {
				if f.Check == "privileged-container" {
					hostile.Item = f.Item
				}
			}
			rep.Findings = append(rep.Findings, hostile)
		}
		if _, err := store.Record(t.Context(), at, at.Add(time.Second), rep); err != nil {
			t.Fatal(err)
		}
	}
	a, err := New(Options{Scan: req, Cluster: &fileCluster{t: t, dir: t.TempDir()}, Store: store,
		Now: func() time.Time { return t0.Add(3 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func getPage(t *testing.T, h http.Handler, url string) (*httptest.ResponseRecorder, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodGet, url, nil))
	return rec, rec.Body.String()
}

// section returns the HTML of the element that starts at the first match of start and ends
// at the first end after it.
func section(t *testing.T, body, start, end string) string {
	t.Helper()
	i := strings.Index(body, start)
	if i < 0 {
		t.Fatalf("no %q in the page", start)
	}
	j := strings.Index(body[i:], end)
	if j < 0 {
		t.Fatalf("no %q after %q", end, start)
	}
	return body[i : i+j]
}

func TestDashboard(t *testing.T) {
	t.Parallel()
	h := dashboardAuditor(t).Handler()
	rec, body := getPage(t, h, "/")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /: %d %s", rec.Code, body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	csp := rec.Header().Get("Content-Security-Policy")
	if !strings.HasPrefix(csp, dashboard.CSP()) || !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	meta := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]+)">`).FindStringSubmatch(body)
	if meta == nil || html.UnescapeString(meta[1]) != dashboard.CSP() {
		t.Errorf("the page's CSP meta element %v is not the dashboard's policy", meta)
	}
	// Every inline script and style is allowed by its hash; nothing else is loaded.
	for _, tag := range []string{"script", "style"} {
		blocks := regexp.MustCompile(`(?s)<`+tag+`>(.*?)</`+tag+`>`).FindAllStringSubmatch(body, -1)
		if len(blocks) == 0 {
			t.Errorf("no <%s>", tag)
		}
		for _, m := range blocks {
			sum := sha256.Sum256([]byte(m[1]))
			if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, h) {
				t.Errorf("the policy does not allow a <%s> of the page (%s)", tag, h)
			}
		}
	}
	for _, external := range []string{"<link", "@import", "url(", "<iframe", "<object", "<embed", "<img", " style=", "http://", "https://cdn"} {
		if strings.Contains(body, external) {
			t.Errorf("the page refers to something outside itself: %q", external)
		}
	}
	for _, want := range []string{`id="scorecard"`, `id="findings"`, `id="h-trend-chart"`, `name="since" id="q-since" value="24h"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page has no %s", want)
		}
	}
	// The chart: three points in every series, the overall one first.
	chart := section(t, body, `id="trend"`, `</svg>`)
	series := regexp.MustCompile(`(?s)<g class="series" data-series="([^"]+)">(.*?)</g>`).FindAllStringSubmatch(chart, -1)
	if len(series) < 2 || series[0][1] != "overall" {
		t.Fatalf("%d series in the chart, want the overall and the sections'", len(series))
	}
	for _, s := range series {
		if n := strings.Count(s[2], "<circle"); n != 3 {
			t.Errorf("series %s has %d points, want 3 (one per audit)", s[1], n)
		}
		if !strings.Contains(s[2], "<polyline") {
			t.Errorf("series %s has no line", s[1])
		}
	}
	// Escaping: one script element, the page's own; the hostile text shows as text.
	if n := strings.Count(body, "<script"); n != 1 {
		t.Errorf("%d script elements in the page, want 1", n)
	}
	for _, raw := range []string{hostileNamespace, `<img src=x`, `</td></tr></table><script>`} {
		if strings.Contains(body, raw) {
			t.Errorf("the page holds %q unescaped", raw)
		}
	}
	if !strings.Contains(body, "&lt;script&gt;window.pwned=1&lt;/script&gt;") || !strings.Contains(body, "&lt;img src=x onerror=") {
		t.Error("the hostile namespace and message are not shown escaped")
	}
}

func TestDashboardSinceAndFilters(t *testing.T) {
	t.Parallel()
	h := dashboardAuditor(t).Handler()
	rec, body := getPage(t, h, "/?since=90m")
	if rec.Code != http.StatusOK {
		t.Fatalf("since=90m: %d %s", rec.Code, body)
	}
	fresh := section(t, body, `id="h-new"`, `id="h-fixed"`)
	fixed := section(t, body, `id="h-fixed"`, `</section>`)
	if !strings.Contains(fresh, "Deployment/pay/api") || strings.Contains(fresh, "Deployment/shop/web") {
		t.Errorf("new since t0+1h30m: want pay/api only:\n%s", fresh)
	}
	if !strings.Contains(fixed, "Deployment/shop/web") || !strings.Contains(fixed, "privileged-container") || strings.Contains(fixed, "pay/api") {
		t.Errorf("fixed since t0+1h30m: want shop/web's privileged-container:\n%s", fixed)
	}
	// The same as an RFC 3339 time; since before every audit, everything open is new.
	_, same := getPage(t, h, "/?since=2026-12-01T01:30:00Z")
	if section(t, same, `id="h-new"`, `</section>`) != section(t, body, `id="h-new"`, `</section>`) {
		t.Error("since=2026-12-01T01:30:00Z differs from since=90m at t0+3h")
	}
	_, all := getPage(t, h, "/?since=7d")
	if fresh := section(t, all, `id="h-new"`, `id="h-fixed"`); !strings.Contains(fresh, "shop/web") || !strings.Contains(fresh, "pay/api") {
		t.Error("since=7d: the open findings of every audit are not all new")
	}

	// namespace=pay: the findings table and the lists hold pay's findings only.
	_, body = getPage(t, h, "/?since=7d&namespace=pay")
	rows := regexp.MustCompile(`<tr data-order="\d+"[^>]* data-namespace="([^"]*)"`).FindAllStringSubmatch(section(t, body, `<table id="findings">`, `</table>`), -1)
	if len(rows) == 0 {
		t.Fatal("namespace=pay: no finding in the table")
	}
	for _, r := range rows {
		if r[1] != "pay" {
			t.Errorf("namespace=pay shows a finding of namespace %q", r[1])
		}
	}
	if strings.Contains(section(t, body, `id="h-new"`, `</section>`), "shop/") {
		t.Error("namespace=pay: the new findings list shop's")
	}
	if !strings.Contains(body, `<option value="pay" selected>`) {
		t.Error("namespace=pay is not selected in the form")
	}
	// check=privileged-container: that check only.
	_, body = getPage(t, h, "/?check=privileged-container&namespace=pay")
	checks := regexp.MustCompile(`<tr data-order="\d+"[^>]* data-check="([^"]*)"`).FindAllStringSubmatch(section(t, body, `<table id="findings">`, `</table>`), -1)
	if len(checks) != 1 || checks[0][1] != "privileged-container" {
		t.Errorf("check=privileged-container&namespace=pay shows %v, want pay/api's privileged-container", checks)
	}
	// shop/web is no longer privileged in the latest audit.
	_, body = getPage(t, h, "/?check=privileged-container&namespace=shop")
	if !strings.Contains(section(t, body, `id="findings-section"`, `</section>`), "No findings.") {
		t.Error("check=privileged-container&namespace=shop shows findings, want none (fixed)")
	}
}

func TestDashboardBadRequests(t *testing.T) {
	t.Parallel()
	h := dashboardAuditor(t).Handler()
	for query, want := range map[string]string{
		"since=yesterday":                "since &#34;yesterday&#34;: want a duration",
		"since=-24h":                     "want a duration back from now",
		"since=0d":                       "want a duration back from now",
		"since=2030-01-01T00:00:00Z":     "is in the future",
		"since=1h&since=2h":              "given 2 times",
		"namespace=Shop_1":               "is not a namespace name",
		"check=no-such-check":            "no check has this ID",
		"limit=5":                        "unknown parameter &#34;limit&#34;",
		"since=%3Cscript%3Ealert(1)%3C/": "&lt;script&gt;alert(1)&lt;/",
		"since=%zz":                      "the query string is not valid",
	} {
		rec, body := getPage(t, h, "/?"+query)
		if rec.Code != http.StatusBadRequest || !strings.Contains(body, want) {
			t.Errorf("%s: %d, want 400 with %q:\n%s", query, rec.Code, want, body)
		}
		if strings.Contains(body, "<script") || rec.Header().Get("Content-Security-Policy") == "" ||
			rec.Header().Get("Content-Type") != "text/html; charset=utf-8" {
			t.Errorf("%s: the error page has a script or lacks its headers", query)
		}
	}
	// Other paths and methods are not the dashboard's.
	if rec, _ := getPage(t, h, "/index.html"); rec.Code != http.StatusNotFound {
		t.Errorf("/index.html: %d, want 404", rec.Code)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %d, want 405", rec.Code)
	}
}

func TestDashboardBeforeFirstAudit(t *testing.T) {
	t.Parallel()
	store, err := history.Open(t.Context(), filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	a, err := New(Options{Scan: scan.Request{Catalog: catalog.MustLoad(), Checks: checks.All()}, Cluster: &fileCluster{t: t, dir: t.TempDir()}, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	if rec, body := getPage(t, a.Handler(), "/"); rec.Code != http.StatusServiceUnavailable || !strings.Contains(body, "No audit has completed yet") {
		t.Errorf("before the first audit: %d %s", rec.Code, body)
	}
}

// FuzzDashboardQuery holds the dashboard's query decoding to its word: an accepted query has
// a since in the past and filters that are a namespace name (or -) and a known check; a
// refused one gets a 400 page with its reason escaped and no script.
func FuzzDashboardQuery(f *testing.F) {
	for _, s := range []string{"", "since=24h", "since=7d&namespace=shop&check=privileged-container", "since=2026-12-01T00:00:00Z",
		"namespace=-", "since=%3Cscript%3E", "since=1h&since=2h", "check=%00", "since=99999999d", "namespace=a%20b",
		"cluster=prod", "cluster=%2Fsubscriptions%2F0%2FmanagedClusters%2Fprod", "cluster=a%0Ab", "cluster=%FF"} {
		f.Add(s)
	}
	now := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := DecodeDashboardQuery(raw, now, []string{"privileged-container"})
		if err != nil {
			rec := httptest.NewRecorder()
			dashboardError(rec, http.StatusBadRequest, "Bad request", err.Error())
			if body := rec.Body.String(); rec.Code != http.StatusBadRequest || strings.Contains(body, "<script") || !strings.Contains(body, `id="message"`) {
				t.Fatalf("%q: the 400 page: %d\n%s", raw, rec.Code, body)
			}
			return
		}
		if q.SinceTime.After(now) || q.Since == "" {
			t.Fatalf("%q: since %q at %s", raw, q.Since, q.SinceTime)
		}
		if q.Check != "" && q.Check != "privileged-container" {
			t.Fatalf("%q: check %q accepted", raw, q.Check)
		}
		if q.Namespace != "" && q.Namespace != dashboard.NoNamespace && strings.ContainsAny(q.Namespace, "<>\"'& /") {
			t.Fatalf("%q: namespace %q accepted", raw, q.Namespace)
		}
		if q.Cluster != "" && ValidateClusterName(q.Cluster) != nil {
			t.Fatalf("%q: cluster %q accepted", raw, q.Cluster)
		}
	})
}
