//go:build integration

package integration

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/cli"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load/live"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
)

var (
	cnpGVR       = schema.GroupVersionResource{Group: "cilium.io", Version: "v2", Resource: "ciliumnetworkpolicies"}
	calicoNPGVR  = schema.GroupVersionResource{Group: "crd.projectcalico.org", Version: "v1", Resource: "networkpolicies"}
	scaledObjGVR = schema.GroupVersionResource{Group: "keda.sh", Version: "v1alpha1", Resource: "scaledobjects"}
	otelInstGVR  = schema.GroupVersionResource{Group: "opentelemetry.io", Version: "v1alpha1", Resource: "instrumentations"}
)

// seedAddOns installs what Azure CNI powered by Cilium, Calico (its CRDs, without its API
// server) and KEDA install, and three namespaces:
//   - payments: a Cilium default deny (endpointSelector {}, ingress and egress [{}]) and a
//     Deployment a KEDA ScaledObject scales;
//   - billing: a Deployment, no policy, no ScaledObject;
//   - risk: a Kubernetes NetworkPolicy default-deny for ingress and a Calico NetworkPolicy of
//     the same name for egress, both needed for the namespace's default deny.
//
// It also installs the OpenTelemetry Operator's CRDs: payments' Namespace asks for the Java
// instrumentation, and its Instrumentation is there (billing and risk have none).
func seedAddOns(ctx context.Context, s *seeder) error {
	const user0, user1 = "aks-user-20000000-vmss000000", "aks-user-20000000-vmss000001"
	for _, c := range []struct {
		group, version, kind, plural string
		namespaced                   bool
	}{
		{"cilium.io", "v2", "CiliumNetworkPolicy", "ciliumnetworkpolicies", true},
		{"cilium.io", "v2", "CiliumClusterwideNetworkPolicy", "ciliumclusterwidenetworkpolicies", false},
		{"crd.projectcalico.org", "v1", "NetworkPolicy", "networkpolicies", true},
		{"crd.projectcalico.org", "v1", "GlobalNetworkPolicy", "globalnetworkpolicies", false},
		{"keda.sh", "v1alpha1", "ScaledObject", "scaledobjects", true},
		{"opentelemetry.io", "v1alpha1", "Instrumentation", "instrumentations", true},
		{"opentelemetry.io", "v1beta1", "OpenTelemetryCollector", "opentelemetrycollectors", true},
	} {
		if err := s.crd(ctx, c.group, c.version, c.kind, c.plural, c.namespaced); err != nil {
			return err
		}
	}
	for _, ns := range []string{"payments", "billing", "risk"} {
		if err := s.namespace(ctx, ns, map[string]string{"team": "apps"}); err != nil {
			return err
		}
	}
	for ns, app := range map[string]string{"payments": "ledger", "billing": "invoices", "risk": "scoring"} {
		if err := s.app(ctx, deployment(ns, app, 2, "acme.azurecr.io/"+ns+"/"+app+":1.0.0"), user0, user1); err != nil {
			return err
		}
	}
	if err := s.custom(ctx, cnpGVR, map[string]any{
		"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy",
		"metadata": map[string]any{"name": "default-deny", "namespace": "payments"},
		"spec":     map[string]any{"endpointSelector": map[string]any{}, "ingress": []any{map[string]any{}}, "egress": []any{map[string]any{}}},
		// What the Cilium agents report: its state on each node (no status subresource here,
		// so it is written with the object).
		"status": map[string]any{"nodes": map[string]any{
			user0: map[string]any{"enforcing": true, "ok": true},
			user1: map[string]any{"enforcing": false, "ok": false, "error": "policy import failed"},
		}},
	}); err != nil {
		return err
	}
	if err := s.custom(ctx, scaledObjGVR, map[string]any{
		"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
		"metadata": map[string]any{"name": "ledger", "namespace": "payments"},
		"spec": map[string]any{"scaleTargetRef": map[string]any{"name": "ledger"}, "minReplicaCount": int64(2), "maxReplicaCount": int64(10),
			"triggers": []any{map[string]any{"type": "cpu", "metricType": "Utilization", "metadata": map[string]any{"value": "70"}}}},
	}); err != nil {
		return err
	}
	if err := s.custom(ctx, otelInstGVR, map[string]any{
		"apiVersion": "opentelemetry.io/v1alpha1", "kind": "Instrumentation",
		"metadata": map[string]any{"name": "java", "namespace": "payments"},
		"spec":     map[string]any{"exporter": map[string]any{"endpoint": "http://otel-collector.observability:4317"}},
	}); err != nil {
		return err
	}
	payments, err := s.cs.CoreV1().Namespaces().Get(ctx, "payments", metav1.GetOptions{})
	if err != nil {
		return err
	}
	payments.Annotations = map[string]string{"instrumentation.opentelemetry.io/inject-java": "true"}
	if _, err := s.cs.CoreV1().Namespaces().Update(ctx, payments, metav1.UpdateOptions{}); err != nil {
		return err
	}
	_, err = s.cs.NetworkingV1().NetworkPolicies("risk").Create(ctx, &networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "default-deny", Namespace: "risk"},
		Spec:       networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}}},
		metav1.CreateOptions{})
	if err != nil {
		return err
	}
	return s.custom(ctx, calicoNPGVR, map[string]any{
		"apiVersion": "crd.projectcalico.org/v1", "kind": "NetworkPolicy",
		"metadata": map[string]any{"name": "default-deny", "namespace": "risk"},
		"spec":     map[string]any{"selector": "all()", "types": []any{"Egress"}},
	})
}

// nsFindings returns the findings of a check on a namespace (on the Namespace, or on an object
// in it).
func nsFindings(rep *report.Report, checkID, ns string) []report.Finding {
	var out []report.Finding
	for _, f := range findings(rep, checkID) {
		if (f.Object.Kind == "Namespace" && f.Object.Name == ns) || f.Object.Namespace == ns {
			out = append(out, f)
		}
	}
	return out
}

// On a cluster whose CNI is Cilium (or Calico), the live scan reads the CNI's policies and KEDA's
// ScaledObjects: a namespace whose default deny is a CiliumNetworkPolicy passes default deny
// and IMDS blocking, a workload KEDA scales passes autoscaling; a namespace without them fails.
func TestAddOnKindsLive(t *testing.T) {
	t.Parallel()
	cfg := env.API.Config(adminToken)
	var mu sync.Mutex
	limits := map[string]string{} // the limit of each list request, by its path
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper {
		return roundTripper(func(r *http.Request) (*http.Response, error) {
			if l := r.URL.Query().Get("limit"); l != "" {
				mu.Lock()
				limits[r.URL.Path] = l
				mu.Unlock()
			}
			return rt.RoundTrip(r)
		})
	})
	scan := live.LoadConfig(t.Context(), cfg, "aks-cilium", live.Options{})
	for _, e := range scan.Errors {
		t.Errorf("error: %s", e.Message)
	}
	// An add-on's objects are read as trees of Go maps, a page at a time: smaller pages.
	if l := limits["/apis/cilium.io/v2/ciliumnetworkpolicies"]; l != "50" {
		t.Errorf("CiliumNetworkPolicies listed %s at a time, want 50", l)
	}
	if l := limits["/apis/apps/v1/deployments"]; l != strconv.Itoa(live.DefaultPageSize) {
		t.Errorf("Deployments listed %s at a time, want %d", l, live.DefaultPageSize)
	}
	for _, k := range []string{"NetworkPolicy", "CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy", "GlobalNetworkPolicy", "ScaledObject", "Instrumentation", "OpenTelemetryCollector"} {
		if why, ok := scan.Unlisted[k]; ok {
			t.Errorf("%s unlisted: %s", k, why)
		}
	}
	// The objects are as the manifest loader makes them: untyped, the whole object as JSON.
	var cnp, calico, k8s *subject.Object
	for _, o := range scan.Objects {
		switch {
		case o.Kind == "CiliumNetworkPolicy" && o.Namespace == "payments":
			cnp = o
		case o.Kind == "NetworkPolicy" && o.Namespace == "risk" && o.Typed == nil:
			calico = o
		case o.Kind == "NetworkPolicy" && o.Namespace == "risk":
			k8s = o
		}
	}
	if cnp == nil || cnp.Typed != nil || cnp.APIVersion != "cilium.io/v2" || cnp.Meta.Name != "default-deny" ||
		!strings.Contains(string(cnp.Raw()), `"endpointSelector":{}`) || !strings.Contains(string(cnp.Raw()), `"ingress":[{}]`) ||
		strings.Contains(string(cnp.Raw()), "managedFields") {
		t.Errorf("CiliumNetworkPolicy payments/default-deny = %+v", cnp)
	}
	// No check given reads an add-on's status: it is not kept.
	if cnp != nil && strings.Contains(string(cnp.Raw()), "enforcing") {
		t.Errorf("CiliumNetworkPolicy payments/default-deny keeps its status: %s", cnp.Raw())
	}
	if calico == nil || calico.APIVersion != "crd.projectcalico.org/v1" || k8s == nil {
		t.Fatalf("risk/default-deny: Calico %+v, Kubernetes %+v: want both", calico, k8s)
	}
	ix := subject.NewIndexOf(scan)
	if n := len(ix.NetworkPolicies("risk")); n != 2 {
		t.Errorf("namespace risk has %d policies in the index, want the Kubernetes and the Calico default-deny", n)
	}

	rep := engine.Run(t.Context(), catalog.MustLoad(), checks.All(), scan, engine.Options{})
	for _, id := range []string{"default-deny-ingress", "default-deny-egress", "block-imds"} {
		for _, ns := range []string{"payments", "risk"} {
			if fs := nsFindings(rep, id, ns); len(fs) > 0 {
				t.Errorf("%s on %s, whose default deny is a CNI policy: %s", id, ns, fs[0].Message)
			}
		}
		if len(nsFindings(rep, id, "billing")) == 0 {
			t.Errorf("%s: no finding on billing, which has no policy", id)
		}
	}
	if fs := nsFindings(rep, "network-policy-coverage", "payments"); len(fs) > 0 {
		t.Errorf("network-policy-coverage on payments: %s", fs[0].Message)
	}
	if fs := nsFindings(rep, "autoscaling", "payments"); len(fs) > 0 {
		t.Errorf("autoscaling on payments/ledger, which a ScaledObject scales: %s", fs[0].Message)
	}
	if len(nsFindings(rep, "autoscaling", "billing")) == 0 {
		t.Error("autoscaling: no finding on billing/invoices, which nothing scales")
	}
	// The Namespace's injection annotation and its Instrumentation, both read live (the
	// monitor.azure.com Instrumentation, not installed, is no error).
	if fs := nsFindings(rep, "workload-tracing", "payments"); len(fs) > 0 {
		t.Errorf("workload-tracing on payments/ledger, which the Java instrumentation is injected into: %s", fs[0].Message)
	}
	if len(nsFindings(rep, "workload-tracing", "billing")) == 0 {
		t.Error("workload-tracing: no finding on billing/invoices, which exports no traces")
	}
	for _, id := range []string{"network.default-deny", "dev.app-autoscaling", "ops.tracing"} {
		if it := item(rep, id); it.Status == report.StatusNotEvaluated {
			t.Errorf("item %s is not evaluated: %s", id, it.Reason)
		}
	}
}

// A custom check reads its kinds' whole status, which the scan otherwise drops (an add-on's,
// what no built-in check reads of a built-in kind's): here, that a Cilium policy is enforced
// on every node (without its status the check would pass in silence), and that every Node
// is Ready.
func TestCustomCheckReadsAddOnStatus(t *testing.T) {
	t.Parallel()
	cfg := filepath.Join(t.TempDir(), "akscheck.yaml")
	if err := os.WriteFile(cfg, []byte(`customChecks:
  - id: cilium-policy-enforced
    item: network.default-deny
    kinds: [CiliumNetworkPolicy]
    expression: "!has(object.status) || !has(object.status.nodes) || object.status.nodes.all(n, object.status.nodes[n].enforcing == true)"
    message: "'not enforced on every node: ' + object.metadata.name"
  - id: node-ready
    item: cluster.system-node-pools
    kinds: [Node]
    expression: "has(object.status.conditions) && object.status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')"
`), 0o600); err != nil {
		t.Fatal(err)
	}
	kc := env.API.Kubeconfig(t, map[string]string{"aks-cilium": adminToken}, "aks-cilium")
	code, out, stderr := runCLI(t, "scan", "--cluster", "--kubeconfig", kc, "--config", cfg, "-o", "json")
	if code == cli.ExitUsage || code == cli.ExitPartial {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	rep := decode(t, out)
	fs := nsFindings(rep, "cilium-policy-enforced", "payments")
	if len(fs) != 1 || !strings.Contains(fs[0].Message, "not enforced on every node: default-deny") {
		t.Errorf("findings of the custom check on payments = %+v, want the policy one node does not enforce", fs)
	}
	// The same for a built-in kind: a Node's conditions, which no built-in check reads.
	if fs := findings(rep, "node-ready"); len(fs) > 0 {
		t.Errorf("a custom check of Nodes does not see their Ready condition: %s", fs[0].Message)
	}
}

// -n with Cilium installed: the namespace's Cilium policies are read; the cluster-wide ones are
// out of scope, so the items that read them are not evaluated, never failed nor passed.
func TestAddOnKindsNamespaceScope(t *testing.T) {
	t.Parallel()
	scan := live.LoadConfig(t.Context(), env.API.Config(adminToken), "aks-cilium", live.Options{Namespace: "payments"})
	for _, e := range scan.Errors {
		t.Errorf("error: %s", e.Message)
	}
	if why := scan.Unlisted["CiliumClusterwideNetworkPolicy"]; !strings.Contains(why, "namespace payments") {
		t.Errorf("CiliumClusterwideNetworkPolicy unlisted as %q, want out of the namespace's scope", why)
	}
	if why, ok := scan.Unlisted["CiliumNetworkPolicy"]; ok {
		t.Errorf("CiliumNetworkPolicy unlisted: %s", why)
	}
	rep := engine.Run(t.Context(), catalog.MustLoad(), checks.All(), scan, engine.Options{})
	if it := item(rep, "network.default-deny"); it.Status != report.StatusNotEvaluated || !strings.Contains(it.Reason, "CiliumClusterwideNetworkPolicy") {
		t.Errorf("network.default-deny is %s (%s), want not-evaluated for the cluster-wide policies", it.Status, it.Reason)
	}
	if fs := nsFindings(rep, "autoscaling", "payments"); len(fs) > 0 {
		t.Errorf("autoscaling on payments/ledger: %s", fs[0].Message)
	}
}

// A cluster without the add-ons' CRDs: nothing to list, nothing unlisted, no error; the
// network checks judge the Kubernetes policies alone.
func TestAddOnsNotInstalled(t *testing.T) {
	t.Parallel()
	bare, err := env.StartAPIServer("bare")
	if err != nil {
		t.Fatal(err)
	}
	defer bare.Stop()
	scan := live.LoadConfig(t.Context(), bare.Config(adminToken), "bare", live.Options{})
	for _, e := range scan.Errors {
		t.Errorf("error: %s", e.Message)
	}
	if len(scan.Unlisted) > 0 {
		t.Errorf("unlisted: %v", scan.Unlisted)
	}
	rep := engine.Run(t.Context(), catalog.MustLoad(), checks.All(), scan, engine.Options{})
	for _, it := range rep.Items {
		if strings.Contains(it.Reason, "CiliumNetworkPolicy") || strings.Contains(it.Reason, "ScaledObject") {
			t.Errorf("item %s: %s", it.ID, it.Reason)
		}
	}
}
