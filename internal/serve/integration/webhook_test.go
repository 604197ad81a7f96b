//go:build integration

// Package integration tests akscheck serve --webhook behind a real kube-apiserver with etcd
// (internal/testutil/kubetest): the API server calls the webhook over HTTPS for every create
// and update, as in a cluster.
//
//	export AKSCHECK_KUBE_BIN=$(.ci/kube-test-env.sh | tail -n 1)
//	go test -tags integration ./internal/serve/integration
package integration

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"

	"github.com/akscheck/akscheck/internal/admit"
	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/config"
	"github.com/akscheck/akscheck/internal/load/live"
	"github.com/akscheck/akscheck/internal/scan"
	"github.com/akscheck/akscheck/internal/serve"
	"github.com/akscheck/akscheck/internal/testutil/kubetest"
)

// api is the kube-apiserver the package's tests share.
var api *kubetest.APIServer

func TestMain(m *testing.M) {
	os.Exit(kubetest.Main(m, func(e *kubetest.Env) error { api = e.API; return nil }))
}

// webhook is akscheck serve --webhook on loopback, registered with the API server.
type webhook struct {
	cache       *live.Cache
	url, caFile string
	cancel      context.CancelFunc
	done        chan error
}

// metrics returns what the webhook's /metrics serves.
func (w *webhook) metrics(t *testing.T) string {
	t.Helper()
	ca, err := os.ReadFile(w.caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	resp, err := c.Get(strings.TrimSuffix(w.url, "/validate") + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// startWebhook serves the webhook with the config doc, caching the cluster as cfg may.
func startWebhook(t *testing.T, cfg *rest.Config, doc string) *webhook {
	t.Helper()
	c := config.Default()
	if doc != "" {
		var err error
		if c, err = config.Parse(".akscheck.yaml", []byte(doc), nil); err != nil {
			t.Fatal(err)
		}
	}
	resolved, err := c.Resolve(catalog.MustLoad(), checks.All())
	if err != nil {
		t.Fatal(err)
	}
	cache, err := live.NewCache(cfg, admit.CacheKinds(resolved.Checks), 0, check.StatusReaders(resolved.Checks))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go cache.Run(ctx)
	reviewer := &admit.Reviewer{Scan: scan.Request{Catalog: resolved.Catalog, Checks: resolved.Checks, Settings: resolved.Settings,
		Policy: resolved.Policy}, Enforce: resolved.Admission, Cluster: cache, OwnNamespace: "akscheck"}
	caFile, cert, key, err := serve.SelfSigned(t.TempDir(), []string{"127.0.0.1"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := serve.New(reviewer, cache, serve.Options{CertFile: cert, KeyFile: key, Timeout: 3 * time.Second,
		Log: slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w := &webhook{cache: cache, url: "https://" + ln.Addr().String() + "/validate", caFile: caFile, cancel: cancel, done: make(chan error, 1)}
	go func() { w.done <- srv.Serve(ctx, ln, nil) }()
	deadline := time.Now().Add(30 * time.Second)
	for !allSynced(cache.Synced()) {
		if time.Now().After(deadline) {
			t.Fatalf("cache not synced: %v", cache.Synced())
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Cleanup(w.stop)
	return w
}

func (w *webhook) stop() {
	if w.cancel != nil {
		w.cancel()
		<-w.done
		w.cancel = nil
	}
}

func allSynced(m map[string]bool) bool {
	for _, ok := range m {
		if !ok {
			return false
		}
	}
	return true
}

// register creates the ValidatingWebhookConfiguration the chart would, pointing at w.
func register(t *testing.T, cs kubernetes.Interface, name string, w *webhook, policy admissionregistrationv1.FailurePolicyType) {
	t.Helper()
	ca, err := os.ReadFile(w.caFile)
	if err != nil {
		t.Fatal(err)
	}
	var rules []admissionregistrationv1.RuleWithOperations
	for _, k := range admit.ReviewedKinds(checks.All()) {
		rules = append(rules, admissionregistrationv1.RuleWithOperations{
			Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
			Rule: admissionregistrationv1.Rule{APIGroups: []string{k.Group}, APIVersions: []string{k.Version},
				Resources: []string{k.Resource}, Scope: ptr.To(admissionregistrationv1.AllScopes)}})
	}
	vwc := &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name:                    "validate.akscheck.io",
			ClientConfig:            admissionregistrationv1.WebhookClientConfig{URL: &w.url, CABundle: ca},
			Rules:                   rules,
			FailurePolicy:           &policy,
			SideEffects:             ptr.To(admissionregistrationv1.SideEffectClassNone),
			AdmissionReviewVersions: []string{"v1"},
			TimeoutSeconds:          ptr.To[int32](5),
			NamespaceSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
				{Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpNotIn, Values: []string{"kube-system", "akscheck"}},
				{Key: admit.DisableLabel, Operator: metav1.LabelSelectorOpNotIn, Values: []string{"disabled"}},
			}},
		}},
	}
	ctx := t.Context()
	_ = cs.AdmissionregistrationV1().ValidatingWebhookConfigurations().Delete(ctx, name, metav1.DeleteOptions{})
	if _, err := cs.AdmissionregistrationV1().ValidatingWebhookConfigurations().Create(ctx, vwc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cs.AdmissionregistrationV1().ValidatingWebhookConfigurations().Delete(context.Background(), name, metav1.DeleteOptions{})
	})
}

func client(t *testing.T) (kubernetes.Interface, *kubetest.Warnings) {
	t.Helper()
	cfg := api.Config(kubetest.AdminToken)
	w := &kubetest.Warnings{}
	cfg.WarningHandler = w
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cs, w
}

// namespace creates a namespace with a default-deny NetworkPolicy, as the checklist asks.
func namespace(t *testing.T, cs kubernetes.Interface, name string) {
	t.Helper()
	_, err := cs.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	deny := &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "default-deny", Namespace: name},
		Spec: networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}}}
	if _, err := cs.NetworkingV1().NetworkPolicies(name).Create(t.Context(), deny, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// deployment is a Deployment that passes every check of high severity and above; mutate
// breaks it.
func deployment(ns, name string, replicas int32, mutate func(*appsv1.Deployment)) *appsv1.Deployment {
	labels := map[string]string{"app.kubernetes.io/name": name, "app.kubernetes.io/instance": name, "app": name}
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					AutomountServiceAccountToken: ptr.To(false),
					SecurityContext: &corev1.PodSecurityContext{RunAsNonRoot: ptr.To(true), RunAsUser: ptr.To[int64](10001),
						SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
					Containers: []corev1.Container{{
						Name: "app", Image: "contoso.azurecr.io/web:1.4.2@sha256:" + strings.Repeat("ab", 32),
						SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: ptr.To(false), ReadOnlyRootFilesystem: ptr.To(true),
							Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}},
					}},
				},
			},
		},
	}
	if mutate != nil {
		mutate(d)
	}
	return d
}

func privileged(d *appsv1.Deployment) {
	sc := d.Spec.Template.Spec.Containers[0].SecurityContext
	sc.Privileged, sc.AllowPrivilegeEscalation = ptr.To(true), nil
}

// waitDenied creates d (server-side dry run) until the webhook, just registered, denies it.
func waitDenied(t *testing.T, cs kubernetes.Interface, d *appsv1.Deployment) error {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := cs.AppsV1().Deployments(d.Namespace).Create(t.Context(), d, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if err != nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestWebhookBehindTheAPIServer(t *testing.T) {
	cs, warned := client(t)
	namespace(t, cs, "shop")
	w := startWebhook(t, api.Config(kubetest.AdminToken), "")
	register(t, cs, "akscheck", w, admissionregistrationv1.Ignore)
	ctx := t.Context()

	// A privileged Deployment is rejected with the check's message.
	err := waitDenied(t, cs, deployment("shop", "bad", 2, privileged))
	if err == nil || !strings.Contains(err.Error(), `denied the request: akscheck denied Deployment shop/bad`) ||
		!strings.Contains(err.Error(), "[privileged-container] dev.security-context (critical)") ||
		!strings.Contains(err.Error(), "spec.template.spec.containers[0].securityContext.privileged") {
		t.Fatalf("privileged Deployment: %v", err)
	}
	// So is a real (not dry-run) create, and nothing is stored.
	if _, err := cs.AppsV1().Deployments("shop").Create(ctx, deployment("shop", "bad", 2, privileged), metav1.CreateOptions{}); err == nil {
		t.Fatal("privileged Deployment stored")
	}

	// A compliant one is admitted; its medium findings come back as warnings, among them the
	// cross-object PDB check, read from the cache.
	warned.Take()
	if _, err := cs.AppsV1().Deployments("shop").Create(ctx, deployment("shop", "web", 2, nil), metav1.CreateOptions{}); err != nil {
		t.Fatalf("compliant Deployment: %v", err)
	}
	got := strings.Join(warned.Take(), "\n")
	if !strings.Contains(got, "akscheck: [pdb-") {
		t.Errorf("warnings lack the PDB check:\n%s", got)
	}
	if strings.Contains(got, "not evaluated") {
		t.Errorf("checks not evaluated with a synced cache:\n%s", got)
	}

	// With a PodDisruptionBudget in the namespace, the cache sees it, its version of the
	// namespace's budgets grows (the reviewer indexes the namespace again) and the warning
	// goes.
	budgets := []string{"PodDisruptionBudget"}
	before := w.cache.Version("shop", budgets)
	if again := w.cache.Version("shop", budgets); again != before {
		t.Errorf("the version moved from %d to %d with nothing changed", before, again)
	}
	pdb := &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: "shop"},
		Spec: policyv1.PodDisruptionBudgetSpec{MinAvailable: ptr.To(intstr.FromInt32(1)),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "api"}}}}
	if _, err := cs.PolicyV1().PodDisruptionBudgets("shop").Create(ctx, pdb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, err := cs.AppsV1().Deployments("shop").Create(ctx, deployment("shop", "api", 2, nil), metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.Join(warned.Take(), "\n"), "[pdb-") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the PDB never reached the webhook's cache")
		}
		time.Sleep(100 * time.Millisecond)
	}
	after := w.cache.Version("shop", budgets)
	if after <= before {
		t.Errorf("a PDB was created and the version of the namespace's budgets went from %d to %d", before, after)
	}
	// Its status written (as the disruption controller does when pods move), then its labels:
	// only the second moves the version. The informer handles an object's events in order,
	// so once the version moves the first has been handled too.
	pdb, err = cs.PolicyV1().PodDisruptionBudgets("shop").Get(ctx, "api", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pdb.Status.CurrentHealthy, pdb.Status.DesiredHealthy, pdb.Status.ExpectedPods = 2, 1, 2
	if pdb, err = cs.PolicyV1().PodDisruptionBudgets("shop").UpdateStatus(ctx, pdb, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	pdb.Labels = map[string]string{"team": "shop"}
	if _, err = cs.PolicyV1().PodDisruptionBudgets("shop").Update(ctx, pdb, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); w.cache.Version("shop", budgets) == after; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the PDB's new labels never moved the version")
		}
	}
	if v := w.cache.Version("shop", budgets); v != after+1 {
		t.Errorf("a status update and a label update moved the version from %d to %d; want one step", after, v)
	}
	// The reviews of Deployments in shop were judged beside the index the webhook keeps of
	// the namespace, not by indexing it again each time.
	if m := w.metrics(t); !regexp.MustCompile(`akscheck_admission_index_total\{index="kept"\} [1-9]`).MatchString(m) {
		t.Errorf("no review judged beside a kept index:\n%s", m)
	}

	// An object exempted by annotation is admitted.
	exempted := deployment("shop", "cni", 2, func(d *appsv1.Deployment) {
		privileged(d)
		d.Annotations = map[string]string{"akscheck.io/exempt": "privileged-container,privilege-escalation", "akscheck.io/exempt-reason": "CNI agent needs it"}
	})
	if _, err := cs.AppsV1().Deployments("shop").Create(ctx, exempted, metav1.CreateOptions{}); err != nil {
		t.Errorf("exempted Deployment: %v", err)
	}

	// An update that adds nothing is admitted even on a non-compliant object; one that adds
	// a finding is denied.
	web, err := cs.AppsV1().Deployments("shop").Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	web.Spec.Template.Spec.HostNetwork = true
	if _, err := cs.AppsV1().Deployments("shop").Update(ctx, web, metav1.UpdateOptions{}); err == nil || !strings.Contains(err.Error(), "host-") {
		t.Errorf("an update to hostNetwork: %v", err)
	}
	cni, err := cs.AppsV1().Deployments("shop").Get(ctx, "cni", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cni.Annotations = map[string]string{"note": "exemption removed"}
	warned.Take()
	if _, err := cs.AppsV1().Deployments("shop").Update(ctx, cni, metav1.UpdateOptions{}); err == nil {
		t.Errorf("removing the exemption was admitted")
	}

	// A namespace excluded by the chart's selector is not reviewed.
	if _, err := cs.AppsV1().Deployments("kube-system").Create(ctx, deployment("kube-system", "agent", 1, privileged), metav1.CreateOptions{}); err != nil {
		t.Errorf("kube-system: %v", err)
	}

	// With the webhook stopped, failurePolicy Ignore admits and Fail rejects.
	w.stop()
	if _, err := cs.AppsV1().Deployments("shop").Create(ctx, deployment("shop", "down", 2, privileged), metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}); err != nil {
		t.Errorf("webhook down, Ignore: %v", err)
	}
	register(t, cs, "akscheck", w, admissionregistrationv1.Fail)
	deadline = time.Now().Add(30 * time.Second)
	for {
		_, err := cs.AppsV1().Deployments("shop").Create(ctx, deployment("shop", "down", 2, nil), metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if err != nil {
			if !strings.Contains(err.Error(), "failed calling webhook") {
				t.Errorf("webhook down, Fail: %v", err)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("webhook down, Fail: still admitted")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestWarnMode: with the config's admission section, a check set to warn
// admits with the warning the client shows.
func TestWarnMode(t *testing.T) {
	cs, warned := client(t)
	namespace(t, cs, "lab")
	w := startWebhook(t, api.Config(kubetest.AdminToken), "admission:\n  checks: {privileged-container: warn, privilege-escalation: warn}\n  excludeNamespaces: [shop, kube-system]\n")
	register(t, cs, "akscheck-warn", w, admissionregistrationv1.Ignore)
	d := deployment("lab", "tools", 2, privileged)
	// Wait until the webhook answers: its warnings come back.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := cs.AppsV1().Deployments("lab").Create(t.Context(), d, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}); err != nil {
			t.Fatalf("warn mode: %v", err)
		}
		if slices.ContainsFunc(warned.Take(), func(s string) bool { return strings.Contains(s, "[privileged-container]") }) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no warning for privileged-container")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if _, err := cs.AppsV1().Deployments("lab").Create(t.Context(), d, metav1.CreateOptions{}); err != nil {
		t.Fatalf("warn mode: %v", err)
	}
	if got := warned.Take(); !slices.ContainsFunc(got, func(s string) bool {
		return strings.Contains(s, "akscheck: [privileged-container] dev.security-context (critical)")
	}) {
		t.Errorf("no warning for privileged-container: %v", got)
	}
}

// TestForbiddenKindIsNotEvaluated: a cache that may not list NetworkPolicies reports the
// checks that read them as not evaluated, never passed.
func TestForbiddenKindIsNotEvaluated(t *testing.T) {
	cs, _ := client(t)
	ctx := t.Context()
	role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "akscheck-partial"}}
	for _, k := range admit.CacheKinds(checks.All()) {
		if k.Kind != "NetworkPolicy" {
			role.Rules = append(role.Rules, rbacv1.PolicyRule{APIGroups: []string{k.Group}, Resources: []string{k.Resource}, Verbs: []string{"get", "list", "watch"}})
		}
	}
	if _, err := cs.RbacV1().ClusterRoles().Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	binding := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "akscheck-partial"},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "akscheck-partial"},
		Subjects: []rbacv1.Subject{{Kind: "User", APIGroup: "rbac.authorization.k8s.io", Name: kubetest.LimitedUser}}}
	if _, err := cs.RbacV1().ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	cache, err := live.NewCache(api.Config(kubetest.LimitedToken), admit.CacheKinds(checks.All()), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go cache.Run(cctx)
	deadline := time.Now().Add(20 * time.Second)
	// The forbidden list may be known before the other kinds' informers (the add-ons' kinds
	// among them) have synced: wait for those too, then NetworkPolicy must be the only kind
	// unlisted.
	for {
		s := cache.Snapshot("shop", nil)
		why := s.Unlisted["NetworkPolicy"]
		forbidden := strings.Contains(why, "forbidden")
		if forbidden && len(s.Unlisted) == 1 {
			break
		}
		if time.Now().After(deadline) {
			if !forbidden {
				t.Fatalf("NetworkPolicy: %q, synced %v", why, cache.Synced())
			}
			t.Fatalf("unlisted %v, want NetworkPolicy alone", s.Unlisted)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
