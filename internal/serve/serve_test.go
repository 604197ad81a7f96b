package serve

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	admissionv1 "k8s.io/api/admission/v1"

	"github.com/akscheck/akscheck/internal/admit"
	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/config"
	"github.com/akscheck/akscheck/internal/scan"
	"github.com/akscheck/akscheck/internal/subject"
)

func newReviewer(t testing.TB, view admit.ClusterView) *admit.Reviewer {
	t.Helper()
	r, err := config.Default().Resolve(catalog.MustLoad(), checks.All())
	if err != nil {
		t.Fatal(err)
	}
	return &admit.Reviewer{Scan: scan.Request{Catalog: r.Catalog, Checks: r.Checks, Settings: r.Settings, Policy: r.Policy},
		Enforce: r.Admission, Cluster: view}
}

func newServer(t testing.TB, view admit.ClusterView, opts Options) (*Server, *bytes.Buffer) {
	t.Helper()
	logs := &bytes.Buffer{}
	opts.Log = slog.New(slog.NewJSONHandler(logs, nil))
	s, err := New(newReviewer(t, view), nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s, logs
}

// reviewBody is an AdmissionReview of an object of group/v1 in namespace shop, as the API
// server sends it.
func reviewBody(group, kind, object string) string {
	return fmt.Sprintf(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"uid-7",
"kind":{"group":%q,"version":"v1","kind":%q},"namespace":"shop","operation":"CREATE","userInfo":{"username":"jane"},"object":%s}}`,
		group, kind, object)
}

const privilegedDeployment = `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop"%s},
"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},
"spec":{"containers":[{"name":"app","image":"contoso.azurecr.io/web:1.0","securityContext":{"privileged":true}}]}}}}`

func post(t testing.TB, h http.Handler, body string) (*httptest.ResponseRecorder, *admissionv1.AdmissionResponse) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/validate", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return rec, nil
	}
	var ar admissionv1.AdmissionReview
	if err := json.Unmarshal(rec.Body.Bytes(), &ar); err != nil {
		t.Fatalf("answer is no AdmissionReview: %v\n%s", err, rec.Body)
	}
	if ar.APIVersion != "admission.k8s.io/v1" || ar.Kind != "AdmissionReview" || ar.Response == nil || ar.Response.UID != "uid-7" {
		t.Fatalf("answer %s", rec.Body)
	}
	return rec, ar.Response
}

func TestDenialAndLogs(t *testing.T) {
	t.Parallel()
	s, logs := newServer(t, nil, Options{})
	_, resp := post(t, s.Handler(), reviewBody("apps", "Deployment", fmt.Sprintf(privilegedDeployment, "")))
	if resp == nil || resp.Allowed || resp.Result == nil || resp.Result.Code != http.StatusForbidden ||
		!strings.Contains(resp.Result.Message, "[privileged-container]") {
		t.Fatalf("response %+v", resp)
	}
	if !strings.Contains(strings.Join(resp.Warnings, "\n"), "was not evaluated") {
		t.Errorf("no not-evaluated warning without a cluster: %v", resp.Warnings)
	}
	var entry map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(logs.String()), "\n") {
		var e map[string]any
		if json.Unmarshal([]byte(line), &e) == nil && e["msg"] == "denied" {
			entry = e
		}
	}
	if entry == nil || entry["user"] != "jane" || entry["kind"] != "Deployment" || entry["namespace"] != "shop" ||
		entry["name"] != "web" || !strings.Contains(fmt.Sprint(entry["checks"]), "privileged-container") {
		t.Errorf("denial log %v\nlogs:\n%s", entry, logs)
	}

	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for _, want := range []string{
		`akscheck_admission_requests_total{operation="CREATE",result="denied"} 1`,
		`akscheck_admission_decisions_total{action="deny",check="privileged-container",namespace="shop"} 1`,
		`akscheck_admission_request_duration_seconds_count 1`,
		`akscheck_admission_index_total{index="built"} 1`,
	} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestDryRunIsNotCounted(t *testing.T) {
	t.Parallel()
	s, _ := newServer(t, nil, Options{})
	body := strings.Replace(reviewBody("apps", "Deployment", fmt.Sprintf(privilegedDeployment, "")), `"operation":"CREATE"`, `"operation":"CREATE","dryRun":true`, 1)
	if _, resp := post(t, s.Handler(), body); resp == nil || resp.Allowed {
		t.Fatalf("a dry run gets another verdict: %+v", resp)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if strings.Contains(rec.Body.String(), "akscheck_admission_decisions_total{") {
		t.Errorf("a dry run was counted as decisions")
	}
}

func TestBadRequests(t *testing.T) {
	t.Parallel()
	s, _ := newServer(t, nil, Options{})
	h := s.Handler()
	for name, tt := range map[string]struct {
		method, contentType, body string
		code                      int
	}{
		"malformed JSON":   {http.MethodPost, "application/json", `{"apiVersion":`, http.StatusBadRequest},
		"not a review":     {http.MethodPost, "application/json", `{"apiVersion":"v1","kind":"Pod"}`, http.StatusBadRequest},
		"wrong type":       {http.MethodPost, "application/json", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":[]}`, http.StatusBadRequest},
		"GET":              {http.MethodGet, "application/json", "", http.StatusMethodNotAllowed},
		"not JSON":         {http.MethodPost, "text/plain", "x", http.StatusUnsupportedMediaType},
		"larger than 8MiB": {http.MethodPost, "application/json", `{"a":"` + strings.Repeat("x", 9<<20) + `"}`, http.StatusRequestEntityTooLarge},
	} {
		req := httptest.NewRequest(tt.method, "/validate", strings.NewReader(tt.body))
		req.Header.Set("Content-Type", tt.contentType)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tt.code || strings.TrimSpace(rec.Body.String()) == "" {
			t.Errorf("%s: %d %q, want %d with a reason", name, rec.Code, rec.Body, tt.code)
		}
	}
}

func TestOddObjectsAreAnswered(t *testing.T) {
	t.Parallel()
	s, _ := newServer(t, nil, Options{})
	big := fmt.Sprintf(privilegedDeployment, `,"annotations":{"blob":"`+strings.Repeat("a", 3<<20)+`"}`)
	for name, tt := range map[string]struct {
		body    string
		allowed bool
		warning string
	}{
		"3 MB object":      {reviewBody("apps", "Deployment", big), false, ""},
		"unknown kind":     {reviewBody("example.com", "Widget", `{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"x":1}}`), true, ""},
		"wrong field type": {reviewBody("apps", "Deployment", `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":"two"}}`), true, "field spec.replicas"},
		"no object":        {reviewBody("", "Pod", `null`), true, ""},
	} {
		start := time.Now()
		rec, resp := post(t, s.Handler(), tt.body)
		if resp == nil {
			t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
			continue
		}
		if resp.Allowed != tt.allowed || !strings.Contains(strings.Join(resp.Warnings, "\n"), tt.warning) {
			t.Errorf("%s: allowed=%v warnings=%v", name, resp.Allowed, resp.Warnings)
		}
		t.Logf("%s: answered in %s", name, time.Since(start))
	}
}

// stuckView is a cluster whose objects never come: the review outlives its budget.
type stuckView struct{ release chan struct{} }

func (v stuckView) Snapshot(string, []string) *subject.Scan { <-v.release; return &subject.Scan{} }

// panickingView fails inside the review.
type panickingView struct{}

func (panickingView) Snapshot(string, []string) *subject.Scan { panic("broken cache") }

func TestTimeoutsAndFailuresFollowTheFailurePolicy(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	defer close(release)
	body := reviewBody("apps", "Deployment", fmt.Sprintf(privilegedDeployment, ""))
	for _, tt := range []struct {
		name   string
		view   admit.ClusterView
		policy string
	}{
		{"timeout, Ignore", stuckView{release}, Ignore},
		{"timeout, Fail", stuckView{release}, Fail},
		{"panic, Ignore", panickingView{}, Ignore},
		{"panic, Fail", panickingView{}, Fail},
	} {
		s, _ := newServer(t, tt.view, Options{Timeout: 100 * time.Millisecond, FailurePolicy: tt.policy})
		start := time.Now()
		_, resp := post(t, s.Handler(), body)
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("%s: answered after %s", tt.name, took)
		}
		if resp == nil {
			t.Fatalf("%s: no answer", tt.name)
		}
		if tt.policy == Ignore && (!resp.Allowed || !strings.Contains(strings.Join(resp.Warnings, ""), "could not check")) {
			t.Errorf("%s: %+v", tt.name, resp)
		}
		if tt.policy == Fail && (resp.Allowed || resp.Result == nil || !strings.Contains(resp.Result.Message, "failure policy is Fail")) {
			t.Errorf("%s: %+v", tt.name, resp)
		}
	}
}

type syncState map[string]bool

func (s syncState) Synced() map[string]bool { return s }

func TestReadiness(t *testing.T) {
	t.Parallel()
	state := syncState{"NetworkPolicy": false, "Namespace": true}
	s, err := New(newReviewer(t, nil), state, Options{ReadyAfter: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		s.ProbeHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}
	if rec := get("/readyz"); rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "NetworkPolicy") {
		t.Errorf("readyz before sync: %d %s", rec.Code, rec.Body)
	}
	if rec := get("/metrics"); !strings.Contains(rec.Body.String(), `akscheck_admission_cache_synced{kind="NetworkPolicy"} 0`) {
		t.Errorf("metrics lack the cache state")
	}
	state["NetworkPolicy"] = true
	if rec := get("/readyz"); rec.Code != http.StatusOK {
		t.Errorf("readyz after sync: %d", rec.Code)
	}
	if rec := get("/healthz"); rec.Code != http.StatusOK {
		t.Errorf("healthz: %d", rec.Code)
	}
}

// TestReadinessDegraded: an unavailable history database is reported by /readyz, which
// stays 200: the webhook and the latest audit in memory are still served.
func TestReadinessDegraded(t *testing.T) {
	t.Parallel()
	down := errors.New("opening the history database: gone")
	s, err := New(nil, syncState{"Namespace": true}, Options{Degraded: func() error { return down }})
	if err != nil {
		t.Fatal(err)
	}
	get := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		s.ProbeHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		return rec
	}
	if rec := get(); rec.Code != http.StatusOK || rec.Body.String() != "ok; degraded: opening the history database: gone\n" {
		t.Errorf("readyz while degraded: %d %q", rec.Code, rec.Body)
	}
	down = nil
	if rec := get(); rec.Code != http.StatusOK || rec.Body.String() != "ok\n" {
		t.Errorf("readyz when back: %d %q", rec.Code, rec.Body)
	}
}

// TestServeTLSAndReload serves on loopback with a self-signed certificate, then replaces the
// files: new connections get the new certificate.
func TestServeTLSAndReload(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ca, cert, key, err := SelfSigned(dir, []string{"127.0.0.1"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := newServer(t, nil, Options{CertFile: cert, KeyFile: key})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln, nil) }()
	serialOf := func(caFile string) string {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			t.Fatal(err)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
		resp, err := client.Get("https://" + ln.Addr().String() + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.TLS.PeerCertificates[0].SerialNumber.String()
	}
	first := serialOf(ca)
	time.Sleep(1100 * time.Millisecond)
	ca2, _, _, err := SelfSigned(dir, []string{"127.0.0.1"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if second := serialOf(ca2); second == first {
		t.Errorf("the renewed certificate was not served")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve: %v", err)
	}
}

// FuzzValidate: any body gets an answer (a review, or a 4xx with a reason), never a panic or
// a server error.
func FuzzValidate(f *testing.F) {
	f.Add(reviewBody("apps", "Deployment", fmt.Sprintf(privilegedDeployment, "")))
	f.Add(reviewBody("", "Pod", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","ownerReferences":[{"kind":"ReplicaSet","name":"r","controller":true}]},"spec":{"containers":null}}`))
	f.Add(reviewBody("", "Namespace", `{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"n","labels":{"akscheck.io/webhook":"disabled"}}}`))
	f.Add(reviewBody("batch", "CronJob", `{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"c"},"spec":{"jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"x:latest","ports":[{"hostPort":80}]}]}}}}}}`))
	// A quantity ParseQuantity would take minutes on: answered at once, the object unread.
	f.Add(reviewBody("", "Pod", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"overhead":{"cpu":"1E-5555555555"},"containers":[{"name":"a","image":"x"}]}}`))
	s, _ := newServer(f, nil, Options{Timeout: 10 * time.Second})
	h := s.Handler()
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "/validate", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch {
		case rec.Code == http.StatusOK:
			var ar admissionv1.AdmissionReview
			if err := json.Unmarshal(rec.Body.Bytes(), &ar); err != nil || ar.Response == nil {
				t.Fatalf("200 without a review: %s", rec.Body)
			}
			if strings.Contains(strings.Join(ar.Response.Warnings, ""), "could not check") {
				t.Fatalf("the review failed: %v", ar.Response.Warnings)
			}
		case rec.Code >= 500 || strings.TrimSpace(rec.Body.String()) == "":
			t.Fatalf("%d %q", rec.Code, rec.Body)
		}
	})
}

// TestConcurrentReviews: the API server sends many reviews at once; each gets its own answer
// (run under -race in CI).
func TestConcurrentReviews(t *testing.T) {
	t.Parallel()
	s, _ := newServer(t, nil, Options{Timeout: 30 * time.Second})
	h := s.Handler()
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			extra := ""
			if i%2 == 0 {
				extra = `,"annotations":{"akscheck.io/exempt":"privileged-container,privilege-escalation,run-as-root,allowed-registries","akscheck.io/exempt-reason":"test"}`
			}
			_, resp := post(t, h, reviewBody("apps", "Deployment", fmt.Sprintf(privilegedDeployment, extra)))
			if resp == nil || resp.Allowed != (i%2 == 0) {
				t.Errorf("review %d: %+v", i, resp)
			}
		})
	}
	wg.Wait()
}

// TestHostileNamesInTheAnswer: the names of the object come back escaped, as kubectl prints
// the answer on a terminal.
func TestHostileNamesInTheAnswer(t *testing.T) {
	t.Parallel()
	s, _ := newServer(t, nil, Options{})
	obj := strings.Replace(fmt.Sprintf(privilegedDeployment, ""), `"name":"app"`, `"name":"app\u001b[31m\u202e"`, 1)
	_, resp := post(t, s.Handler(), reviewBody("apps", "Deployment", obj))
	if resp == nil || resp.Result == nil {
		t.Fatalf("response %+v", resp)
	}
	all := resp.Result.Message + strings.Join(resp.Warnings, "")
	if strings.ContainsAny(all, "\x1b\u202e") || !strings.Contains(resp.Result.Message, `app\x1b[31m\u202e`) {
		t.Errorf("answer: %q", all)
	}
}

// TestWebhookAndAuditInOneServer serves the webhook on TLS and an audit's API on plain HTTP
// from one server: the API and the registered collectors are on the API listener, /validate
// is not; the webhook's listener has no /api.
func TestWebhookAndAuditInOneServer(t *testing.T) {
	t.Parallel()
	_, cert, key, err := SelfSigned(t.TempDir(), []string{"127.0.0.1"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "api "+r.URL.Path) })
	gauge := prometheus.NewGauge(prometheus.GaugeOpts{Name: "akscheck_score", Help: "test"})
	gauge.Set(42)
	s, _ := newServer(t, nil, Options{CertFile: cert, KeyFile: key, API: api, Collectors: []prometheus.Collector{gauge}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	apiLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.ServeAll(ctx, ln, nil, apiLn) }()
	get := func(client *http.Client, url string) (int, string) {
		t.Helper()
		resp, err := client.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	plain := &http.Client{Timeout: 5 * time.Second}
	base := "http://" + apiLn.Addr().String()
	if code, body := get(plain, base+"/api/v1/reports/latest"); code != http.StatusOK || body != "api /api/v1/reports/latest" {
		t.Errorf("API: %d %q", code, body)
	}
	if code, body := get(plain, base+"/metrics"); code != http.StatusOK || !strings.Contains(body, "akscheck_score 42") ||
		!strings.Contains(body, "go_goroutines") {
		t.Errorf("metrics: %d, want akscheck_score 42 beside the server's own metrics", code)
	}
	// The audit's dashboard is at / exactly; other paths are nobody's.
	if code, body := get(plain, base+"/?since=1h"); code != http.StatusOK || body != "api /" {
		t.Errorf("dashboard: %d %q", code, body)
	}
	if code, _ := get(plain, base+"/index.html"); code != http.StatusNotFound {
		t.Errorf("/index.html on the API listener: %d", code)
	}
	if code, _ := get(plain, base+"/validate"); code != http.StatusNotFound {
		t.Errorf("/validate on the API listener: %d", code)
	}
	insecure := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // a test of routing, not of TLS
	if code, _ := get(insecure, "https://"+ln.Addr().String()+"/api/v1/reports/latest"); code != http.StatusNotFound {
		t.Errorf("/api on the webhook's listener: %d", code)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("ServeAll: %v", err)
	}
}

// TestAuditOnly: without a reviewer the server needs no certificate and serves the API.
func TestAuditOnly(t *testing.T) {
	t.Parallel()
	s, err := New(nil, nil, Options{API: http.NotFoundHandler(), Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	time.Sleep(100 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	nothing, err := New(nil, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := nothing.ServeAll(t.Context(), nil, nil, nil); err == nil {
		t.Error("a server with nothing to serve ran")
	}
}
