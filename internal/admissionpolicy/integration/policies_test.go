//go:build integration

package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"github.com/akscheck/akscheck/internal/admissionpolicy"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/enforce"
	"github.com/akscheck/akscheck/internal/testutil/kubetest"
)

const (
	namespace = "shop"
	excluded  = "legacy"
	// activation bounds the wait for a policy to take effect: kube-apiserver loads policies
	// and bindings from informers, a moment after they are created.
	activation = 60 * time.Second
)

var (
	deployments = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	cronJobs    = schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "cronjobs"}
	pods        = schema.GroupVersionResource{Version: "v1", Resource: "pods"}
)

// compliantPodSpec passes every check that has an admission form.
const compliantPodSpec = `
securityContext:
  runAsNonRoot: true
  runAsUser: 10001
  seccompProfile: {type: RuntimeDefault}
containers:
  - name: web
    image: contoso.azurecr.io/web:1.0.0
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities: {drop: [ALL]}
    resources:
      requests: {cpu: 100m, memory: 64Mi}
      limits: {cpu: "1", memory: 64Mi}
    livenessProbe: {tcpSocket: {port: 8080}}
    readinessProbe: {tcpSocket: {port: 8080}}
`

const labels = `{app.kubernetes.io/name: web, app.kubernetes.io/instance: web-1}`

func deployment(name string) *unstructured.Unstructured {
	return object(fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: %s, labels: %s}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: web}}
  template:
    metadata: {labels: %s}
    spec: %s`, name, labels, labels, indent(compliantPodSpec, "      ")))
}

func pod(name string) *unstructured.Unstructured {
	return object(fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata: {name: %s, labels: %s}
spec: %s`, name, labels, indent(compliantPodSpec, "  ")))
}

func cronJob(name string) *unstructured.Unstructured {
	return object(fmt.Sprintf(`apiVersion: batch/v1
kind: CronJob
metadata: {name: %s, labels: %s}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        metadata: {labels: %s}
        spec: %s`, name, labels, labels, indent(strings.Replace(compliantPodSpec, "securityContext:\n", "restartPolicy: OnFailure\nsecurityContext:\n", 1), "          ")))
}

func indent(s, prefix string) string {
	return "\n" + prefix + strings.ReplaceAll(strings.TrimPrefix(s, "\n"), "\n", "\n"+prefix)
}

func object(doc string) *unstructured.Unstructured {
	var m map[string]any
	if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
		panic(fmt.Sprintf("%v\n%s", err, doc))
	}
	return &unstructured.Unstructured{Object: m}
}

// container and podSpec return the first container and the pod spec of a Deployment.
func container(u *unstructured.Unstructured) map[string]any {
	return podSpec(u)["containers"].([]any)[0].(map[string]any)
}

func podSpec(u *unstructured.Unstructured) map[string]any {
	if u.GetKind() == "Pod" {
		return u.Object["spec"].(map[string]any)
	}
	return u.Object["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)
}

func nested(m map[string]any, key string) map[string]any { return m[key].(map[string]any) }

// create creates u in ns with dryRun=All and returns the warnings and the error.
func create(ctx context.Context, t *testing.T, gvr schema.GroupVersionResource, ns string, u *unstructured.Unstructured) ([]string, error) {
	t.Helper()
	w := &kubetest.Warnings{}
	cfg := rest.CopyConfig(api.Config(kubetest.AdminToken))
	cfg.WarningHandler = w
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.Resource(gvr).Namespace(ns).Create(ctx, u, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	return w.Take(), err
}

func TestPoliciesOnKubeAPIServer(t *testing.T) {
	ctx := t.Context()
	cfg := api.Config(kubetest.AdminToken)
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, ns := range []string{namespace, excluded} {
		if _, err := kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	admission := enforce.Default()
	admission.ExcludeNamespaces = append(admission.ExcludeNamespaces, excluded)
	set, err := admissionpolicy.Generate(admissionpolicy.Options{Checks: checks.All(), Admission: admission})
	if err != nil {
		t.Fatal(err)
	}
	for i := range set.Policies {
		if _, err := kube.AdmissionregistrationV1().ValidatingAdmissionPolicies().Create(ctx, &set.Policies[i], metav1.CreateOptions{}); err != nil {
			t.Fatalf("creating policy %s: %v", set.Policies[i].Name, err)
		}
		if _, err := kube.AdmissionregistrationV1().ValidatingAdmissionPolicyBindings().Create(ctx, &set.Bindings[i], metav1.CreateOptions{}); err != nil {
			t.Fatalf("creating binding %s: %v", set.Bindings[i].Name, err)
		}
	}
	// The policies are loaded once a known-bad object is denied.
	start := time.Now()
	probe := deployment("probe")
	podSpec(probe)["hostPID"] = true
	for {
		_, err := create(ctx, t, deployments, namespace, probe)
		if err != nil && strings.Contains(err.Error(), "[host-pid]") {
			break
		}
		if time.Since(start) > activation {
			t.Fatalf("the policies are not in effect after %s: %v", activation, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("policies in effect after %s", time.Since(start).Round(time.Millisecond))

	t.Run("compliant objects are admitted without warnings", func(t *testing.T) {
		for _, c := range []struct {
			gvr schema.GroupVersionResource
			u   *unstructured.Unstructured
		}{{deployments, deployment("web")}, {cronJobs, cronJob("report")}} {
			warns, err := create(ctx, t, c.gvr, namespace, c.u)
			if err != nil || len(warns) > 0 {
				t.Errorf("%s: %v, warnings %q", c.u.GetKind(), err, warns)
			}
		}
		owned := pod("web-abc")
		owned.SetOwnerReferences([]metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web", UID: "0b5c6c2e-1f7f-4d5b-9a53-4a9e0a0c0d11"}})
		if warns, err := create(ctx, t, pods, namespace, owned); err != nil || len(warns) > 0 {
			t.Errorf("Pod: %v, warnings %q", err, warns)
		}
	})

	// Each case breaks one check only: kube-apiserver reports the first denial alone.
	cases := []struct {
		check string
		gvr   schema.GroupVersionResource
		make  func() *unstructured.Unstructured
	}{
		{"privileged-container", deployments, func() *unstructured.Unstructured {
			// privileged forbids allowPrivilegeEscalation: false, and Windows pods are not
			// judged on it: a node selector for Windows keeps privilege-escalation out.
			u := deployment("privileged")
			podSpec(u)["nodeSelector"] = map[string]any{"kubernetes.io/os": "windows"}
			sc := nested(container(u), "securityContext")
			delete(sc, "allowPrivilegeEscalation")
			sc["privileged"] = true
			return u
		}},
		{"privilege-escalation", deployments, func() *unstructured.Unstructured {
			u := deployment("escalation")
			nested(container(u), "securityContext")["allowPrivilegeEscalation"] = true
			return u
		}},
		{"host-pid", cronJobs, func() *unstructured.Unstructured {
			u := cronJob("host-pid")
			spec := u.Object["spec"].(map[string]any)["jobTemplate"].(map[string]any)["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)
			spec["hostPID"] = true
			return u
		}},
		{"host-ipc", pods, func() *unstructured.Unstructured {
			u := pod("host-ipc")
			u.SetOwnerReferences([]metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web", UID: "0b5c6c2e-1f7f-4d5b-9a53-4a9e0a0c0d11"}})
			podSpec(u)["hostIPC"] = true
			return u
		}},
		{"host-network", deployments, func() *unstructured.Unstructured {
			u := deployment("host-network")
			podSpec(u)["hostNetwork"] = true
			return u
		}},
		{"run-as-root", deployments, func() *unstructured.Unstructured {
			u := deployment("root")
			nested(podSpec(u), "securityContext")["runAsNonRoot"] = false
			return u
		}},
		{"dangerous-capabilities", deployments, func() *unstructured.Unstructured {
			u := deployment("caps")
			nested(nested(container(u), "securityContext"), "capabilities")["add"] = []any{"NET_ADMIN"}
			return u
		}},
		{"drop-all-capabilities", deployments, func() *unstructured.Unstructured {
			u := deployment("drop")
			nested(nested(container(u), "securityContext"), "capabilities")["drop"] = []any{"NET_RAW"}
			return u
		}},
		{"read-only-root-filesystem", deployments, func() *unstructured.Unstructured {
			u := deployment("rootfs")
			nested(container(u), "securityContext")["readOnlyRootFilesystem"] = false
			return u
		}},
		{"seccomp-profile", deployments, func() *unstructured.Unstructured {
			u := deployment("seccomp")
			nested(podSpec(u), "securityContext")["seccompProfile"] = map[string]any{"type": "Unconfined"}
			return u
		}},
		{"cpu-limits", deployments, func() *unstructured.Unstructured {
			u := deployment("cpu")
			delete(nested(nested(container(u), "resources"), "limits"), "cpu")
			return u
		}},
		{"memory-limits", deployments, func() *unstructured.Unstructured {
			u := deployment("memory")
			delete(nested(nested(container(u), "resources"), "limits"), "memory")
			return u
		}},
		{"requests-limits", deployments, func() *unstructured.Unstructured {
			u := deployment("requests")
			delete(nested(nested(container(u), "resources"), "requests"), "cpu")
			return u
		}},
		{"liveness-probe", deployments, func() *unstructured.Unstructured {
			u := deployment("liveness")
			delete(container(u), "livenessProbe")
			return u
		}},
		{"naked-pod", pods, func() *unstructured.Unstructured { return pod("naked") }},
		{"required-labels", deployments, func() *unstructured.Unstructured {
			u := deployment("labels")
			u.SetLabels(map[string]string{"app.kubernetes.io/name": "web"})
			return u
		}},
	}
	byID := map[string]*check.Check{}
	for _, c := range checks.All() {
		byID[c.ID] = c
	}
	tested := map[string]bool{}
	for _, tc := range cases {
		tested[tc.check] = true
		t.Run(tc.check, func(t *testing.T) {
			c := byID[tc.check]
			action := admission.For(c.ID, c.Item, c.Severity)
			want := "[" + c.ID + "] " + c.Item + ": "
			// Each policy comes into effect on its own: the probe above proves only that the
			// API server has started loading them. Retry until this one answers.
			var warns []string
			var err error
			for deadline := time.Now().Add(activation); ; {
				warns, err = create(ctx, t, tc.gvr, namespace, tc.make())
				answered := (action == enforce.Deny && err != nil && strings.Contains(err.Error(), want)) ||
					(action == enforce.Warn && err == nil && containsAny(warns, want))
				if answered || time.Now().After(deadline) {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			switch action {
			case enforce.Deny:
				if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), ". Fix: "+c.Remediation) {
					t.Errorf("want a denial %q...; got %v", want, err)
				}
			case enforce.Warn:
				if err != nil || !containsAny(warns, want) {
					t.Errorf("want admitted with a warning %q...; got %v, warnings %q", want, err, warns)
				}
			}
			if t.Failed() {
				return
			}
			t.Logf("%s: %v %q", action, err, warns)

			exempted := tc.make()
			exempted.SetAnnotations(map[string]string{"akscheck.io/exempt": "latest-tag, " + c.ID, "akscheck.io/exempt-reason": "integration test"})
			if warns, err := create(ctx, t, tc.gvr, namespace, exempted); err != nil || containsAny(warns, want) {
				t.Errorf("exempted by annotation: %v, warnings %q", err, warns)
			}
			if warns, err := create(ctx, t, tc.gvr, excluded, tc.make()); err != nil || len(warns) > 0 {
				t.Errorf("in excluded namespace %s: %v, warnings %q", excluded, err, warns)
			}
		})
	}
	for _, c := range admissionpolicy.Covered(checks.All()) {
		if !tested[c.ID] {
			t.Errorf("check %s has an admission form and no case here", c.ID)
		}
	}
}

func containsAny(list []string, s string) bool {
	for _, x := range list {
		if strings.Contains(x, s) {
			return true
		}
	}
	return false
}
