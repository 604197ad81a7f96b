//go:build integration

// Package integration tests akscheck serve --audit against a real kube-apiserver with etcd
// (internal/testutil/kubetest): the informer cache, the engine, the SQLite history, the API
// and the metrics, wired as the CLI wires them.
//
//	export AKSCHECK_KUBE_BIN=$(.ci/kube-test-env.sh | tail -n 1)
//	go test -tags integration ./internal/audit/integration
package integration

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/akscheck/akscheck/internal/audit"
	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/config"
	"github.com/akscheck/akscheck/internal/history"
	"github.com/akscheck/akscheck/internal/load/live"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/scan"
	"github.com/akscheck/akscheck/internal/serve"
	"github.com/akscheck/akscheck/internal/testutil/kubetest"
)

var (
	api *kubetest.APIServer
	// env starts more API servers on the same etcd (faults_test.go).
	env *kubetest.Env
)

func TestMain(m *testing.M) {
	os.Exit(kubetest.Main(m, func(e *kubetest.Env) error { env, api = e, e.API; return nil }))
}

// started is an audit server on loopback: its base URL, its cluster cache and its SQLite
// history ("" for another database).
type started struct {
	base  string
	cache *live.Cache
	db    string
}

func startAudit(t *testing.T, token string, resync, debounce, syncWait time.Duration) started {
	t.Helper()
	return startAuditWith(t, auditParams{token: token, resync: resync, debounce: debounce, syncWait: syncWait})
}

// auditParams set up an audit server for a test: against api (the package's when nil), with
// the history in SQLite in a temporary directory, or opened by open and retried quickly.
type auditParams struct {
	api                        *kubetest.APIServer
	open                       func(ctx context.Context) (*history.Store, error)
	token                      string
	resync, debounce, syncWait time.Duration
	// readyAfter is the server's --ready-after (0: its default).
	readyAfter time.Duration
	// events, when set, publishes the audit's findings as Events with the clientset given.
	events func(cs *kubernetes.Clientset) *audit.Events
	// logs receives the server's log (os.Stderr when nil).
	logs io.Writer
}

func startAuditWith(t *testing.T, p auditParams) started {
	t.Helper()
	server := cmp.Or(p.api, api)
	cfg := server.Config(p.token)
	resolved, err := config.Default().Resolve(catalog.MustLoad(), checks.All())
	if err != nil {
		t.Fatal(err)
	}
	cache, err := live.NewCache(cfg, audit.Kinds(resolved.Checks), 0, check.StatusReaders(resolved.Checks))
	if err != nil {
		t.Fatal(err)
	}
	var store *history.Store
	db := ""
	if p.open == nil {
		db = filepath.Join(t.TempDir(), "akscheck-history.db")
		if store, err = history.Open(t.Context(), db); err != nil {
			t.Fatal(err)
		}
	}
	logs := p.logs
	if logs == nil {
		logs = os.Stderr
	}
	var events *audit.Events
	if p.events != nil {
		cs, err := kubernetes.NewForConfig(cfg)
		if err != nil {
			t.Fatal(err)
		}
		events = p.events(cs)
	}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	a, err := audit.New(audit.Options{Scan: scan.Request{Catalog: resolved.Catalog, Checks: resolved.Checks,
		Settings: resolved.Settings, Policy: resolved.Policy, Version: "test"}, Cluster: cache, Store: store, Open: p.open,
		Backoff: 100 * time.Millisecond, MaxBackoff: time.Second, Context: "kubetest", Server: cfg.Host, Version: func(ctx context.Context) (string, error) { return live.ServerVersion(ctx, cfg) },
		Resync: p.resync, Debounce: p.debounce, SyncWait: p.syncWait, Log: log, Events: events})
	if err != nil {
		t.Fatal(err)
	}
	if err := cache.OnChange(a.Changed); err != nil {
		t.Fatal(err)
	}
	srv, err := serve.New(nil, cache, serve.Options{API: a.Handler(), Collectors: a.Collectors(), Log: log,
		ReadyAfter: p.readyAfter, Degraded: a.StoreErr})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 3)
	go func() { cache.Run(ctx); done <- struct{}{} }()
	go func() { _ = a.Run(ctx); done <- struct{}{} }()
	go func() { _ = srv.ServeAll(ctx, nil, nil, ln); done <- struct{}{} }()
	t.Cleanup(func() {
		cancel()
		for range 3 {
			<-done
		}
		_ = a.Close()
		if store != nil {
			store.Close()
		}
	})
	return started{base: "http://" + ln.Addr().String(), cache: cache, db: db}
}

func get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// eventually polls cond every 100 ms until it holds or limit passes.
func eventually(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, limit)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func privilegedFinding(r report.Report) *report.Finding {
	for i, f := range r.Findings {
		if f.Check == "privileged-container" && f.Object.Namespace == "audit-shop" && f.Object.Name == "web" {
			return &r.Findings[i]
		}
	}
	return nil
}

// deployment is a Deployment whose container runs privileged: a finding the audit must report.
func deployment() *appsv1.Deployment {
	labels := map[string]string{"app": "web"}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "audit-shop"},
		Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx:1.27",
					SecurityContext: &corev1.SecurityContext{Privileged: ptr.To(true)}}}}}},
	}
}

func TestAuditFindsAndForgets(t *testing.T) {
	ctx := t.Context()
	cs, err := kubernetes.NewForConfig(api.Config(kubetest.AdminToken))
	if err != nil {
		t.Fatal(err)
	}
	const resync = 2 * time.Second
	s := startAudit(t, kubetest.AdminToken, resync, time.Hour, 30*time.Second)
	t0 := time.Now().UTC().Add(-time.Second)

	eventually(t, 60*time.Second, "the first audit", func() bool {
		code, _ := get(t, s.base+"/api/v1/reports/latest")
		return code == http.StatusOK
	})

	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "audit-shop"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	created := time.Now()
	if _, err := cs.AppsV1().Deployments("audit-shop").Create(ctx, deployment(), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	var seen *report.Finding
	eventually(t, 3*resync+5*time.Second, "the privileged Deployment's finding", func() bool {
		_, body := get(t, s.base+"/api/v1/reports/latest")
		var r report.Report
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatalf("latest is no report: %v", err)
		}
		seen = privilegedFinding(r)
		return seen != nil
	})
	t.Logf("finding reported %s after the Deployment was created (resync %s)", time.Since(created).Round(time.Millisecond), resync)
	fp := report.Fingerprint(*seen)

	_, metrics := get(t, s.base+"/metrics")
	for _, want := range []string{"akscheck_score ", `akscheck_findings{check="privileged-container",namespace="audit-shop",severity=`,
		`akscheck_item_status{item=`, `akscheck_informer_synced{kind="Deployment"} 1`, "akscheck_audit_duration_seconds "} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics has no %s", want)
		}
	}
	if m := regexp.MustCompile(`(?m)^akscheck_audit_duration_seconds (\S+)$`).FindStringSubmatch(string(metrics)); m != nil {
		d, _ := strconv.ParseFloat(m[1], 64)
		t.Logf("audit duration on the integration cluster: %.1f ms", d*1000)
	}

	// The latest report is served from memory as soon as the audit ends; the history records
	// it just after.
	var first history.Finding
	eventually(t, 10*time.Second, "the finding recorded new since "+t0.Format(time.RFC3339), func() bool {
		var ok bool
		first, ok = findings(t, s.base+"/api/v1/findings?new-since="+t0.Format(time.RFC3339))[fp]
		return ok
	})

	// Fix it: the next audit (the resync's) reports it fixed, first seen kept.
	fixedAfter := time.Now().UTC().Add(-time.Second)
	d, err := cs.AppsV1().Deployments("audit-shop").Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d.Spec.Template.Spec.Containers[0].SecurityContext.Privileged = ptr.To(false)
	if _, err := cs.AppsV1().Deployments("audit-shop").Update(ctx, d, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	var fixed history.Finding
	eventually(t, 3*resync+5*time.Second, "the finding reported fixed", func() bool {
		var ok bool
		fixed, ok = findings(t, s.base+"/api/v1/findings?fixed-since="+fixedAfter.Format(time.RFC3339))[fp]
		return ok
	})
	if !fixed.FirstSeen.Equal(first.FirstSeen) || fixed.FixedAt == nil || fixed.FixedAt.Before(fixed.LastSeen) {
		t.Errorf("fixed finding: first seen %s (was %s), last seen %s, fixed at %v", fixed.FirstSeen, first.FirstSeen, fixed.LastSeen, fixed.FixedAt)
	}
	_, body := get(t, s.base+"/api/v1/reports/latest")
	var r report.Report
	if err := json.Unmarshal(body, &r); err != nil || privilegedFinding(r) != nil {
		t.Errorf("the latest report still has the fixed finding (%v)", err)
	}

	// A few more resyncs, for the database's size per audit.
	time.Sleep(3 * resync)
	_, body = get(t, s.base+"/api/v1/reports?since="+t0.Format(time.RFC3339)+"&limit=1000")
	var reports []json.RawMessage
	if err := json.Unmarshal(body, &reports); err != nil {
		t.Fatal(err)
	}
	var size, wal int64
	if fi, err := os.Stat(s.db); err == nil {
		size = fi.Size()
	}
	if fi, err := os.Stat(s.db + "-wal"); err == nil {
		wal = fi.Size()
	}
	t.Logf("history after %d audits: database %s, WAL %s (%d objects in the cluster; a report is %s as JSON)", len(reports),
		human(size), human(wal), r.Inputs[0].Objects, human(int64(len(body)/max(len(reports), 1))))
	if len(reports) < 3 {
		t.Errorf("%d audits in %s of resyncs every %s", len(reports), time.Since(t0).Round(time.Second), resync)
	}
}

func findings(t *testing.T, url string) map[string]history.Finding {
	t.Helper()
	code, body := get(t, url)
	if code != http.StatusOK {
		t.Fatalf("%s: %d %s", url, code, body)
	}
	var fs []history.Finding
	if err := json.Unmarshal(body, &fs); err != nil {
		t.Fatal(err)
	}
	out := map[string]history.Finding{}
	for _, f := range fs {
		out[f.Fingerprint] = f
	}
	return out
}

func human(n int64) string { return fmt.Sprintf("%.1f KiB", float64(n)/1024) }

// TestAuditForbiddenKinds: with a token that may watch only some kinds, the audit still
// runs; the items that need the others are not evaluated, naming the kind and why, and the
// report's errors name them, as in a live scan.
func TestAuditForbiddenKinds(t *testing.T) {
	ctx := t.Context()
	cs, err := kubernetes.NewForConfig(api.Config(kubetest.AdminToken))
	if err != nil {
		t.Fatal(err)
	}
	const name = "akscheck-audit-limited"
	if _, err := cs.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name},
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{""}, Resources: []string{"pods", "nodes", "namespaces"}, Verbs: []string{"list", "watch"}},
			{APIGroups: []string{"apps"}, Resources: []string{"deployments", "replicasets"}, Verbs: []string{"list", "watch"}},
		}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: kubetest.LimitedUser}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	lim, err := kubernetes.NewForConfig(api.Config(kubetest.LimitedToken))
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "the grant in force", func() bool {
		_, err := lim.CoreV1().Namespaces().List(ctx, metav1.ListOptions{Limit: 1})
		return err == nil
	})

	s := startAudit(t, kubetest.LimitedToken, time.Hour, time.Hour, 3*time.Second)
	var r report.Report
	eventually(t, 30*time.Second, "the first audit", func() bool {
		code, body := get(t, s.base+"/api/v1/reports/latest")
		return code == http.StatusOK && json.Unmarshal(body, &r) == nil
	})
	errs := ""
	for _, e := range r.Errors {
		errs += e.Message + "\n"
	}
	for _, kind := range []string{"Secret", "Service", "NetworkPolicy"} {
		if !strings.Contains(errs, "cannot list "+kind+" (") {
			t.Errorf("no error names %s:\n%s", kind, errs)
		}
	}
	if !strings.Contains(errs, "forbidden") {
		t.Errorf("the errors do not say forbidden:\n%s", errs)
	}
	for _, it := range r.Items {
		if it.ID == "network.internal-load-balancer" && (it.Status != report.StatusNotEvaluated || !strings.Contains(it.Reason, "Service")) {
			t.Errorf("%s is %s (%s), want not-evaluated for Services", it.ID, it.Status, it.Reason)
		}
	}
	_, metrics := get(t, s.base+"/metrics")
	if !strings.Contains(string(metrics), `akscheck_informer_synced{kind="Service"} 0`) || !strings.Contains(string(metrics), `akscheck_informer_synced{kind="Pod"} 1`) {
		t.Errorf("informer sync metrics:\n%s", grep(string(metrics), "akscheck_informer_synced"))
	}
}

func grep(s, prefix string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestAuditAfterChange: with no resync in sight, a change of the cluster is audited a
// debounce after it.
func TestAuditAfterChange(t *testing.T) {
	ctx := t.Context()
	cs, err := kubernetes.NewForConfig(api.Config(kubetest.AdminToken))
	if err != nil {
		t.Fatal(err)
	}
	const debounce = 500 * time.Millisecond
	s := startAudit(t, kubetest.AdminToken, time.Hour, debounce, 30*time.Second)
	eventually(t, 60*time.Second, "the first audit", func() bool {
		code, _ := get(t, s.base+"/api/v1/reports/latest")
		return code == http.StatusOK
	})
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "audit-change"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	d := deployment()
	d.Namespace = "audit-change"
	created := time.Now()
	if _, err := cs.AppsV1().Deployments("audit-change").Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*debounce, "the change audited", func() bool {
		_, body := get(t, s.base+"/api/v1/reports/latest")
		var r report.Report
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatal(err)
		}
		for _, f := range r.Findings {
			if f.Check == "privileged-container" && f.Object.Namespace == "audit-change" {
				return true
			}
		}
		return false
	})
	t.Logf("change audited %s after the Deployment was created (debounce %s)", time.Since(created).Round(time.Millisecond), debounce)
	_, metrics := get(t, s.base+"/metrics")
	if !strings.Contains(string(metrics), `akscheck_audit_cluster_changes_total{kind="Deployment"}`) {
		t.Errorf("no Deployment change counted:\n%s", grep(string(metrics), "akscheck_audit_cluster_changes_total"))
	}
}

// TestAuditAddOnChange: an add-on kind the API server serves (KEDA's ScaledObject, from a
// CRD) is watched once discovery finds it, and a change of one of its objects is audited.
func TestAuditAddOnChange(t *testing.T) {
	ctx := t.Context()
	dyn, err := dynamic.NewForConfig(api.Config(kubetest.AdminToken))
	if err != nil {
		t.Fatal(err)
	}
	gvr := schema.GroupVersionResource{Group: "keda.sh", Version: "v1alpha1", Resource: "scaledobjects"}
	if err := installCRD(ctx, dyn, gvr, "ScaledObject"); err != nil {
		t.Fatal(err)
	}
	s := startAudit(t, kubetest.AdminToken, time.Hour, 300*time.Millisecond, 30*time.Second)
	eventually(t, 60*time.Second, "the first audit", func() bool {
		code, _ := get(t, s.base+"/api/v1/reports/latest")
		return code == http.StatusOK
	})
	_, metrics := get(t, s.base+"/metrics")
	if !strings.Contains(string(metrics), `akscheck_informer_synced{kind="ScaledObject"} 1`) {
		t.Fatalf("ScaledObject not watched:\n%s", grep(string(metrics), "akscheck_informer_synced"))
	}
	before := audits(t, s.base)
	so := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
		"metadata": map[string]any{"name": "web", "namespace": "default"},
		"spec":     map[string]any{"scaleTargetRef": map[string]any{"name": "web"}}}}
	if _, err := dyn.Resource(gvr).Namespace("default").Create(ctx, so, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "the ScaledObject's change audited", func() bool {
		_, metrics := get(t, s.base+"/metrics")
		return strings.Contains(string(metrics), `akscheck_audit_cluster_changes_total{kind="ScaledObject"} 1`) && audits(t, s.base) > before
	})
}

func audits(t *testing.T, base string) float64 {
	t.Helper()
	_, metrics := get(t, base+"/metrics")
	m := regexp.MustCompile(`(?m)^akscheck_audits_total (\S+)$`).FindStringSubmatch(string(metrics))
	if m == nil {
		return 0
	}
	n, _ := strconv.ParseFloat(m[1], 64)
	return n
}

// installCRD installs a schemaless CustomResourceDefinition and waits until it is served.
func installCRD(ctx context.Context, dyn dynamic.Interface, gvr schema.GroupVersionResource, kind string) error {
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
		"metadata": map[string]any{"name": gvr.Resource + "." + gvr.Group},
		"spec": map[string]any{
			"group": gvr.Group, "scope": "Namespaced",
			"names": map[string]any{"kind": kind, "plural": gvr.Resource, "listKind": kind + "List"},
			"versions": []any{map[string]any{"name": gvr.Version, "served": true, "storage": true,
				"schema": map[string]any{"openAPIV3Schema": map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}},
		},
	}}
	crdGVR := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	if _, err := dyn.Resource(crdGVR).Create(ctx, obj, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	for range 100 {
		if _, err := dyn.Resource(gvr).List(ctx, metav1.ListOptions{Limit: 1}); err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("CRD %s.%s not served", gvr.Resource, gvr.Group)
}
