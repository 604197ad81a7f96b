package chart

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/load/helm"
	"github.com/akscheck/akscheck/internal/load/live"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/scan"
)

const (
	chartDir  = "../../charts/akscheck"
	deployDir = "../../deploy"
	// The release of the tests, as it is installed: helm install akscheck -n akscheck.
	release   = "akscheck"
	namespace = "akscheck"
)

// typed are the kinds the chart renders that Kubernetes' Go types describe: every document
// of these kinds must decode strictly (a misspelt field fails the test, as the API server
// would drop or reject it).
var typed = map[string]func() any{
	"Namespace":                      func() any { return &corev1.Namespace{} },
	"ServiceAccount":                 func() any { return &corev1.ServiceAccount{} },
	"ConfigMap":                      func() any { return &corev1.ConfigMap{} },
	"PersistentVolumeClaim":          func() any { return &corev1.PersistentVolumeClaim{} },
	"Service":                        func() any { return &corev1.Service{} },
	"ResourceQuota":                  func() any { return &corev1.ResourceQuota{} },
	"LimitRange":                     func() any { return &corev1.LimitRange{} },
	"ClusterRole":                    func() any { return &rbacv1.ClusterRole{} },
	"ClusterRoleBinding":             func() any { return &rbacv1.ClusterRoleBinding{} },
	"NetworkPolicy":                  func() any { return &networkingv1.NetworkPolicy{} },
	"Deployment":                     func() any { return &appsv1.Deployment{} },
	"CronJob":                        func() any { return &batchv1.CronJob{} },
	"PodDisruptionBudget":            func() any { return &policyv1.PodDisruptionBudget{} },
	"HorizontalPodAutoscaler":        func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"ValidatingWebhookConfiguration": func() any { return &admissionregistrationv1.ValidatingWebhookConfiguration{} },
}

// rendered is a render of the chart, its objects decoded.
type rendered struct {
	docs    []Doc
	objects map[string]any // kind/name
}

func render(t *testing.T, set ...string) rendered {
	t.Helper()
	docs, err := Render(chartDir, helm.Options{ReleaseName: release, Namespace: namespace, Set: set})
	if err != nil {
		t.Fatal(err)
	}
	r := rendered{docs: docs, objects: map[string]any{}}
	for _, d := range docs {
		key := d.Kind + "/" + d.Name
		if _, dup := r.objects[key]; dup {
			t.Errorf("%s renders %s twice", d.Template, key)
		}
		newObj, ok := typed[d.Kind]
		if !ok {
			r.objects[key] = nil
			continue
		}
		obj := newObj()
		if err := yaml.UnmarshalStrict([]byte(d.Text), obj); err != nil {
			t.Errorf("%s: %s does not decode strictly: %v", d.Template, key, err)
		}
		r.objects[key] = obj
	}
	return r
}

// get returns the object of that kind and name, failing the test when there is none.
func get[T any](t *testing.T, r rendered, kind, name string) *T {
	t.Helper()
	o, ok := r.objects[kind+"/"+name].(*T)
	if !ok {
		t.Fatalf("the chart renders no %s %s", kind, name)
	}
	return o
}

func (r rendered) has(kind, name string) bool {
	_, ok := r.objects[kind+"/"+name]
	return ok
}

// TestRender renders the chart with the value sets that change the webhook and checks what
// the API server and the server are told against each other and against the code.
func TestRender(t *testing.T) {
	t.Parallel()
	existing := []string{"certManager.enabled=false", "tls.existingSecret=webhook-tls", "tls.caBundle=Q0EK"}
	for _, tc := range []struct {
		name          string
		set           []string
		failurePolicy string
		certManager   bool
		excluded      []string
	}{
		{"defaults", nil, "Ignore", true, []string{"kube-system", namespace}},
		{"fail", []string{"webhook.failurePolicy=Fail"}, "Fail", true, []string{"kube-system", namespace, "cert-manager"}},
		{"existing secret", existing, "Ignore", false, []string{"kube-system", namespace}},
		{"existing secret, fail", append([]string{"webhook.failurePolicy=Fail"}, existing...), "Fail", false, []string{"kube-system", namespace}},
		{"more excluded namespaces", []string{"webhook.excludedNamespaces={kube-system,gatekeeper-system}", "webhook.timeoutSeconds=10"},
			"Ignore", true, []string{"kube-system", "gatekeeper-system", namespace}},
		{"everything", []string{"scan.cronJob.enabled=true", "namespace.create=true", "config=checks:\n  disable: [latest-tag]\n"},
			"Ignore", true, []string{"kube-system", namespace}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := render(t, tc.set...)
			vwc := get[admissionregistrationv1.ValidatingWebhookConfiguration](t, r, "ValidatingWebhookConfiguration", "akscheck")
			dep := get[appsv1.Deployment](t, r, "Deployment", "akscheck-webhook")
			checkWebhook(t, vwc, tc.failurePolicy, tc.excluded)
			checkServer(t, r, dep, vwc, tc.failurePolicy)
			checkTLS(t, r, dep, vwc, tc.certManager)
			checkCacheRole(t, get[rbacv1.ClusterRole](t, r, "ClusterRole", "akscheck-webhook"))
			checkHardened(t, "Deployment akscheck-webhook", &dep.Spec.Template.Spec)
			if cj, ok := r.objects["CronJob/akscheck"].(*batchv1.CronJob); ok {
				checkHardened(t, "CronJob akscheck", &cj.Spec.JobTemplate.Spec.Template.Spec)
			}
		})
	}
}

// checkWebhook checks the ValidatingWebhookConfiguration: one webhook, no side effects, v1
// reviews, the failure policy of the values, the rules of the reviewed kinds, and the
// excluded namespaces and opt-out label in its namespaceSelector.
func checkWebhook(t *testing.T, vwc *admissionregistrationv1.ValidatingWebhookConfiguration, failurePolicy string, excluded []string) {
	t.Helper()
	if len(vwc.Webhooks) != 1 {
		t.Fatalf("the configuration has %d webhooks, want 1", len(vwc.Webhooks))
	}
	w := vwc.Webhooks[0]
	if w.Name != "validate.akscheck.io" {
		t.Errorf("webhook name %q", w.Name)
	}
	if w.SideEffects == nil || *w.SideEffects != admissionregistrationv1.SideEffectClassNone {
		t.Errorf("sideEffects %v, want None", w.SideEffects)
	}
	if !slices.Equal(w.AdmissionReviewVersions, []string{"v1"}) {
		t.Errorf("admissionReviewVersions %v, want [v1]", w.AdmissionReviewVersions)
	}
	if w.FailurePolicy == nil || string(*w.FailurePolicy) != failurePolicy {
		t.Errorf("failurePolicy %v, want %s", w.FailurePolicy, failurePolicy)
	}
	if w.MatchPolicy == nil || *w.MatchPolicy != admissionregistrationv1.Equivalent {
		t.Errorf("matchPolicy %v, want Equivalent", w.MatchPolicy)
	}
	if s := w.ClientConfig.Service; s == nil || s.Name != "akscheck-webhook" || s.Namespace != namespace ||
		s.Path == nil || *s.Path != "/validate" || s.Port == nil || *s.Port != 443 {
		t.Errorf("clientConfig.service %+v, want akscheck-webhook.%s:443/validate", s, namespace)
	}

	var got []string
	for _, rule := range w.Rules {
		if !slices.Equal(rule.Operations, []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update}) {
			t.Errorf("rule %v: operations %v, want CREATE and UPDATE", rule.Resources, rule.Operations)
		}
		if rule.Scope == nil || *rule.Scope != admissionregistrationv1.AllScopes {
			t.Errorf("rule %v: scope %v, want *", rule.Resources, rule.Scope)
		}
		for _, g := range rule.APIGroups {
			for _, v := range rule.APIVersions {
				for _, res := range rule.Resources {
					got = append(got, g+"/"+v+"/"+res)
					if res == "secrets" || strings.HasPrefix(res, "secrets/") || res == "*" {
						t.Errorf("the webhook is sent %s: it must never see Secrets", res)
					}
				}
			}
		}
	}
	var want []string
	for _, k := range CurrentKinds().Reviewed {
		want = append(want, k.Group+"/"+k.Version+"/"+k.Resource)
	}
	sortedEqual(t, "webhook rules (group/version/resource)", got, want)

	sel := w.NamespaceSelector
	if sel == nil || len(sel.MatchLabels) > 0 {
		t.Fatalf("namespaceSelector %+v, want matchExpressions only", sel)
	}
	var names, optOut []string
	for _, e := range sel.MatchExpressions {
		switch {
		case e.Key == "kubernetes.io/metadata.name" && e.Operator == "NotIn":
			names = e.Values
		case e.Key == "akscheck.io/webhook" && e.Operator == "NotIn":
			optOut = e.Values
		default:
			t.Errorf("unexpected namespaceSelector expression %+v", e)
		}
	}
	sortedEqual(t, "excluded namespaces", names, excluded)
	if !slices.Equal(optOut, []string{"disabled"}) {
		t.Errorf("namespaces labelled akscheck.io/webhook NotIn %v, want [disabled]", optOut)
	}
}

// checkServer checks that the server is told what the API server is told, and that the
// Service, disruption budget and autoscaler fit the Deployment.
func checkServer(t *testing.T, r rendered, dep *appsv1.Deployment, vwc *admissionregistrationv1.ValidatingWebhookConfiguration, failurePolicy string) {
	t.Helper()
	if dep.Spec.Replicas == nil || *dep.Spec.Replicas != 2 {
		t.Errorf("Deployment replicas %v, want 2", dep.Spec.Replicas)
	}
	c := dep.Spec.Template.Spec.Containers[0]
	args := map[string]string{}
	for _, a := range c.Args {
		k, v, _ := strings.Cut(a, "=")
		args[k] = v
	}
	if c.Args[0] != "serve" || !slices.Contains(c.Args, "--webhook") {
		t.Errorf("args %v, want serve --webhook ...", c.Args)
	}
	if args["--failure-policy"] != failurePolicy {
		t.Errorf("the server is told --failure-policy=%s, the API server %s", args["--failure-policy"], failurePolicy)
	}
	timeout, err := time.ParseDuration(args["--timeout"])
	if err != nil || timeout <= 0 || timeout >= time.Duration(*vwc.Webhooks[0].TimeoutSeconds)*time.Second {
		t.Errorf("--timeout=%s must be below the webhook's timeoutSeconds %d", args["--timeout"], *vwc.Webhooks[0].TimeoutSeconds)
	}
	if args["--namespace"] != "$(POD_NAMESPACE)" {
		t.Errorf("--namespace=%s, want $(POD_NAMESPACE)", args["--namespace"])
	}
	if i := slices.IndexFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == "POD_NAMESPACE" }); i < 0 ||
		c.Env[i].ValueFrom == nil || c.Env[i].ValueFrom.FieldRef == nil || c.Env[i].ValueFrom.FieldRef.FieldPath != "metadata.namespace" {
		t.Errorf("POD_NAMESPACE does not come from the downward API: %+v", c.Env)
	}
	ports := map[string]int32{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	if args["--addr"] != fmt.Sprintf(":%d", ports["https"]) || args["--probe-addr"] != fmt.Sprintf(":%d", ports["probe"]) {
		t.Errorf("--addr=%s --probe-addr=%s, container ports %v", args["--addr"], args["--probe-addr"], ports)
	}
	for name, p := range map[string]*corev1.Probe{"startup": c.StartupProbe, "liveness": c.LivenessProbe, "readiness": c.ReadinessProbe} {
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Port.String() != "probe" {
			t.Errorf("%s probe %+v, want an HTTP GET on the probe port", name, p)
		}
	}
	if args["--config"] != "" && !r.has("ConfigMap", "akscheck-config") {
		t.Errorf("--config=%s without the ConfigMap akscheck-config", args["--config"])
	}

	pods := labels(dep.Spec.Template.Labels)
	svc := get[corev1.Service](t, r, "Service", "akscheck-webhook")
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != 443 || svc.Spec.Ports[0].TargetPort.String() != "https" || ports["https"] != 8443 {
		t.Errorf("Service ports %+v, want 443 to the container's https port 8443", svc.Spec.Ports)
	}
	if !pods.selectedBy(svc.Spec.Selector) {
		t.Errorf("the Service selects %v, not the webhook's pods %v", svc.Spec.Selector, pods)
	}
	pdb := get[policyv1.PodDisruptionBudget](t, r, "PodDisruptionBudget", "akscheck-webhook")
	if pdb.Spec.MinAvailable == nil || pdb.Spec.MinAvailable.IntValue() != 1 || pdb.Spec.Selector == nil || !pods.selectedBy(pdb.Spec.Selector.MatchLabels) {
		t.Errorf("PodDisruptionBudget %+v, want minAvailable 1 of the webhook's pods", pdb.Spec)
	}
	hpa := get[autoscalingv2.HorizontalPodAutoscaler](t, r, "HorizontalPodAutoscaler", "akscheck-webhook")
	if hpa.Spec.ScaleTargetRef.Name != dep.Name || hpa.Spec.MinReplicas == nil || *hpa.Spec.MinReplicas != 2 {
		t.Errorf("HorizontalPodAutoscaler %+v, want the webhook's Deployment from 2 replicas", hpa.Spec)
	}
	if !slices.ContainsFunc(dep.Spec.Template.Spec.TopologySpreadConstraints, func(c corev1.TopologySpreadConstraint) bool {
		return c.TopologyKey == "kubernetes.io/hostname" && c.LabelSelector != nil && pods.selectedBy(c.LabelSelector.MatchLabels)
	}) {
		t.Errorf("the webhook's pods are not spread across nodes: %+v", dep.Spec.Template.Spec.TopologySpreadConstraints)
	}
	np := get[networkingv1.NetworkPolicy](t, r, "NetworkPolicy", "akscheck-webhook-ingress")
	var allowed []string
	for _, rule := range np.Spec.Ingress {
		for _, p := range rule.Ports {
			allowed = append(allowed, p.Port.String())
		}
	}
	sortedEqual(t, "ports the network policy lets in", allowed, []string{"8443", "8080"})
}

// checkTLS checks that the server mounts the Secret the certificate is written to, and that
// the API server gets its CA from cert-manager's injector or from the values.
func checkTLS(t *testing.T, r rendered, dep *appsv1.Deployment, vwc *admissionregistrationv1.ValidatingWebhookConfiguration, certManager bool) {
	t.Helper()
	var secret string
	for _, v := range dep.Spec.Template.Spec.Volumes {
		if v.Name == "tls" && v.Secret != nil {
			secret = v.Secret.SecretName
		}
	}
	inject := vwc.Annotations["cert-manager.io/inject-ca-from"]
	caBundle := vwc.Webhooks[0].ClientConfig.CABundle
	if !certManager {
		if secret != "webhook-tls" || string(caBundle) != "CA\n" || inject != "" || r.has("Certificate", "akscheck-webhook") || r.has("Issuer", "akscheck-selfsigned") {
			t.Errorf("existing Secret mode: secret %q, caBundle %q, inject-ca-from %q, Certificate rendered %v",
				secret, caBundle, inject, r.has("Certificate", "akscheck-webhook"))
		}
		return
	}
	if !r.has("Certificate", "akscheck-webhook") || !r.has("Issuer", "akscheck-selfsigned") {
		t.Fatal("cert-manager mode renders no Certificate akscheck-webhook and Issuer akscheck-selfsigned")
	}
	var cert struct {
		Spec struct {
			SecretName string   `json:"secretName"`
			DNSNames   []string `json:"dnsNames"`
			IssuerRef  struct {
				Kind, Name string
			} `json:"issuerRef"`
		} `json:"spec"`
	}
	for _, d := range r.docs {
		if d.Kind == "Certificate" {
			if err := yaml.Unmarshal([]byte(d.Text), &cert); err != nil {
				t.Fatal(err)
			}
		}
	}
	if cert.Spec.SecretName != secret {
		t.Errorf("the Certificate writes Secret %q, the server mounts %q", cert.Spec.SecretName, secret)
	}
	if !slices.Contains(cert.Spec.DNSNames, "akscheck-webhook."+namespace+".svc") {
		t.Errorf("the Certificate's DNS names %v lack the Service's akscheck-webhook.%s.svc", cert.Spec.DNSNames, namespace)
	}
	if cert.Spec.IssuerRef.Kind != "Issuer" || cert.Spec.IssuerRef.Name != "akscheck-selfsigned" {
		t.Errorf("the Certificate's issuer %+v", cert.Spec.IssuerRef)
	}
	if inject != namespace+"/akscheck-webhook" || len(caBundle) > 0 {
		t.Errorf("cert-manager mode: inject-ca-from %q, want %s/akscheck-webhook and no caBundle (%q)", inject, namespace, caBundle)
	}
}

// checkCacheRole checks that the webhook's ClusterRole grants get, list and watch on exactly
// the kinds its cache watches.
func checkCacheRole(t *testing.T, role *rbacv1.ClusterRole) {
	t.Helper()
	var got []string
	for _, rule := range role.Rules {
		if len(rule.NonResourceURLs) > 0 || len(rule.ResourceNames) > 0 {
			t.Errorf("the webhook's role has rule %+v", rule)
		}
		for _, g := range rule.APIGroups {
			for _, res := range rule.Resources {
				for _, v := range rule.Verbs {
					got = append(got, g+"/"+res+"/"+v)
				}
			}
		}
	}
	var want []string
	for _, k := range CurrentKinds().Cached {
		if k.Resource == "secrets" {
			t.Errorf("the webhook caches Secrets: it must not read them")
		}
		for _, v := range []string{"get", "list", "watch"} {
			want = append(want, k.Group+"/"+k.Resource+"/"+v)
		}
	}
	sortedEqual(t, "the webhook's role (group/resource/verb)", got, want)
}

// checkHardened checks the pod's security settings and its API token, projected rather
// than automounted.
func checkHardened(t *testing.T, what string, spec *corev1.PodSpec) {
	t.Helper()
	psc := spec.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 ||
		psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("%s: pod securityContext %+v, want runAsNonRoot with a UID and seccomp RuntimeDefault", what, psc)
	}
	if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
		t.Errorf("%s: automountServiceAccountToken is not false", what)
	}
	if !slices.ContainsFunc(spec.Volumes, func(v corev1.Volume) bool {
		return v.Projected != nil && slices.ContainsFunc(v.Projected.Sources, func(s corev1.VolumeProjection) bool {
			return s.ServiceAccountToken != nil && s.ServiceAccountToken.ExpirationSeconds != nil && *s.ServiceAccountToken.ExpirationSeconds <= 3600
		})
	}) {
		t.Errorf("%s: no short-lived projected API token", what)
	}
	for _, c := range spec.Containers {
		sc := c.SecurityContext
		if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem || sc.AllowPrivilegeEscalation == nil ||
			*sc.AllowPrivilegeEscalation || sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) {
			t.Errorf("%s: container %s securityContext %+v, want a read-only root, no privilege escalation, drop ALL", what, c.Name, sc)
		}
		if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
			t.Errorf("%s: container %s resources %+v, want CPU and memory requests and a memory limit", what, c.Name, c.Resources)
		}
	}
}

type labels map[string]string

// selectedBy reports whether a matchLabels selector (non-empty) selects these labels.
func (l labels) selectedBy(sel map[string]string) bool {
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if l[k] != v {
			return false
		}
	}
	return true
}

func sortedEqual(t *testing.T, what string, got, want []string) {
	t.Helper()
	got, want = slices.Clone(got), slices.Clone(want)
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got %v\nwant %v", what, got, want)
	}
}

// TestRenderRefusesBrokenValues: values that would register a webhook the API server
// rejects, or one it cannot reach, fail the render with what to set.
func TestRenderRefusesBrokenValues(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		set  []string
		want string
	}{
		{[]string{"webhook.failurePolicy=Sometimes"}, "webhook.failurePolicy must be Ignore or Fail"},
		{[]string{"webhook.timeoutSeconds=31"}, "webhook.timeoutSeconds must be between 1 and 30"},
		{[]string{"certManager.enabled=false"}, "set tls.existingSecret"},
		{[]string{"certManager.enabled=false", "tls.existingSecret=x"}, "tls.caBundle"},
		{[]string{"metrics.serviceMonitor.enabled=true"}, "set audit.enabled too"},
		{[]string{"audit.enabled=true", "audit.database.existingSecret=db", "audit.database.key="}, "audit.database.key"},
		{[]string{"audit.enabled=true", "audit.azure.enabled=true"}, "audit.azure.workloadIdentity.clientID"},
	} {
		_, err := Render(chartDir, helm.Options{ReleaseName: release, Namespace: namespace, Set: tc.set})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("--set %v: error %v, want one that says %q", tc.set, err, tc.want)
		}
	}
}

// TestScanOnly: without the webhook, the chart is the scan's CronJob and its read-only role.
func TestScanOnly(t *testing.T) {
	t.Parallel()
	r := render(t, "webhook.enabled=false", "scan.cronJob.enabled=true", "certManager.enabled=false")
	for _, d := range r.docs {
		if strings.Contains(d.Name, "webhook") || d.Kind == "Certificate" || d.Kind == "Issuer" {
			t.Errorf("webhook.enabled=false renders %s %s", d.Kind, d.Name)
		}
	}
	get[batchv1.CronJob](t, r, "CronJob", "akscheck")
	get[rbacv1.ClusterRole](t, r, "ClusterRole", "akscheck-reader")
	binding := get[rbacv1.ClusterRoleBinding](t, r, "ClusterRoleBinding", "akscheck-reader")
	if len(binding.Subjects) != 1 || binding.Subjects[0].Name != "akscheck" || binding.Subjects[0].Namespace != namespace {
		t.Errorf("akscheck-reader is bound to %+v, want the ServiceAccount akscheck/akscheck", binding.Subjects)
	}
}

// TestChartPassesItsOwnScan: the chart, as installed (helm install -n akscheck), passes
// akscheck's checks at medium with each set of values the tests render; CI runs the same
// scan on the defaults through the CLI.
func TestChartPassesItsOwnScan(t *testing.T) {
	t.Parallel()
	for _, set := range [][]string{
		nil,
		{"webhook.failurePolicy=Fail", "scan.cronJob.enabled=true", "namespace.create=true"},
		{"certManager.enabled=false", "tls.existingSecret=webhook-tls", "tls.caBundle=Q0EK"},
		{"audit.enabled=true", "audit.events=true"},
		{"audit.enabled=true", "audit.database.existingSecret=akscheck-db"},
		{"audit.enabled=true", "audit.azure.enabled=true", "audit.azure.workloadIdentity.clientID=44444444-4444-4444-4444-444444444444"},
	} {
		res, err := scan.Run(t.Context(), scan.Request{
			Paths: []string{chartDir},
			Load: load.Options{
				Helm:     helm.Options{ReleaseName: release, Namespace: namespace, Set: set},
				Manifest: manifest.Options{Namespace: namespace},
			},
			Catalog: catalog.MustLoad(),
			Checks:  checks.All(),
		})
		if err != nil {
			t.Fatal(err)
		}
		rep := res.Reports[0].Report
		for _, e := range rep.Errors {
			t.Errorf("--set %v: %+v", set, e)
		}
		for _, f := range rep.Findings {
			if f.Severity >= check.Medium {
				t.Errorf("--set %v: %s %s %s/%s: %s", set, f.Severity, f.Check, f.Object.Kind, f.Object.Name, f.Message)
			}
		}
	}
}

// TestKindsTemplateIsCurrent: the chart's rules are those of the code (go generate
// ./internal/chart rewrites them).
func TestKindsTemplateIsCurrent(t *testing.T) {
	t.Parallel()
	path := filepath.Join(chartDir, KindsFile)
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, KindsTemplate(CurrentKinds())) {
		t.Errorf("%s is stale: run go generate ./internal/chart", path)
	}
	for _, k := range CurrentKinds().Reviewed {
		if k.AddOn || k.Kind == "Secret" {
			t.Errorf("the webhook is sent %s: never Secrets, and no add-on kinds (the server reviews built-in kinds)", k.Kind)
		}
	}
	if !slices.ContainsFunc(CurrentKinds().Cached, func(k live.Kind) bool { return k.Kind == "Namespace" }) {
		t.Error("the webhook does not cache Namespaces: it reads their labels")
	}
}

// TestDeployIsCurrent: deploy/ is the chart rendered with the deploy values, file for file
// (go generate ./internal/chart rewrites it; CI diffs it too).
func TestDeployIsCurrent(t *testing.T) {
	t.Parallel()
	docs, err := Render(chartDir, DeployOptions("."))
	if err != nil {
		t.Fatal(err)
	}
	files, err := DeployFiles(docs)
	if err != nil {
		t.Fatal(err)
	}
	have, err := filepath.Glob(filepath.Join(deployDir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range have {
		if _, ok := files[filepath.Base(f)]; !ok && filepath.Base(f) != HandWritten {
			t.Errorf("%s is not rendered from the chart: run go generate ./internal/chart", f)
		}
	}
	if fi, err := os.Stat(filepath.Join(deployDir, HandWritten)); err != nil || !fi.IsDir() {
		t.Errorf("deploy/%s, the hand-written files: %v", HandWritten, err)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(deployDir, name))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("deploy/%s is stale (%v): run go generate ./internal/chart", name, err)
		}
	}
	for _, want := range []string{"1-rbac.yaml", "3-cronjob.yaml", "4-webhook.yaml", "5-webhook-configuration.yaml", "6-cert-manager.yaml"} {
		if _, ok := files[want]; !ok {
			t.Errorf("deploy/ has no %s", want)
		}
	}
	if names := slices.Sorted(maps.Keys(files)); names[len(names)-1] != "6-cert-manager.yaml" {
		t.Errorf("cert-manager's objects need its CRDs and must be applied last; the last file is %s", names[len(names)-1])
	}
}
