//go:build integration

package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/akscheck/akscheck/internal/cli"
)

// TestGuardrailsLive: generate guardrails reads a running cluster's namespace, the API server
// accepts every object it writes (its own validation, not ours), and once they are created a
// second run finds nothing to generate.
func TestGuardrailsLive(t *testing.T) {
	t.Parallel()
	api, err := env.StartAPIServer("guardrails")
	if err != nil {
		t.Fatal(err)
	}
	defer api.Stop()
	cs, err := kubernetes.NewForConfig(api.Config(adminToken))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "web"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for name, replicas := range map[string]int32{"api": 2, "front": 1} {
		d := deployment("web", name, replicas, "contoso.azurecr.io/"+name+":1.0")
		d.Spec.Template.Spec.Containers[0].Resources = corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m"), corev1.ResourceMemory: resource.MustParse("256Mi")},
			Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("512Mi")},
		}
		if _, err := cs.AppsV1().Deployments("web").Create(ctx, d, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}

	kc := api.Kubeconfig(t, map[string]string{"guardrails": adminToken}, "guardrails")
	dir := t.TempDir()
	code, _, stderr := runCLI(t, "generate", "guardrails", "-n", "web", "--cluster", "--kubeconfig", kc, "-o", dir)
	if code != cli.ExitOK {
		t.Fatalf("generate exit %d: %s", code, stderr)
	}
	t.Logf("generate's notes:\n%s", stderr)
	kinds := applyAll(t, cs, dir, "web")
	want := map[string]int{"NetworkPolicy": 1, "ResourceQuota": 1, "LimitRange": 1, "PodDisruptionBudget": 1, "HorizontalPodAutoscaler": 2}
	for k, n := range want {
		if kinds[k] != n {
			t.Errorf("%d %s generated, want %d (all: %v)", kinds[k], k, n, kinds)
		}
	}

	code, out, stderr := runCLI(t, "generate", "guardrails", "-n", "web", "--cluster", "--kubeconfig", kc)
	if code != cli.ExitOK || out != "" || !strings.Contains(stderr, "nothing to generate") {
		t.Errorf("second run: exit %d, stdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
}

// TestGuardrailsExamplesApply: the guardrails generated from the examples' files, with each
// flag changed from its default, are objects a real API server accepts.
func TestGuardrailsExamplesApply(t *testing.T) {
	t.Parallel()
	api, err := env.StartAPIServer("guardrails-examples")
	if err != nil {
		t.Fatal(err)
	}
	defer api.Stop()
	cs, err := kubernetes.NewForConfig(api.Config(adminToken))
	if err != nil {
		t.Fatal(err)
	}
	for _, ns := range []string{"shop", "legacy", "kubernetes-dashboard", "default"} {
		if ns != "default" {
			if _, err := cs.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		dir := t.TempDir()
		code, _, stderr := runCLI(t, "generate", "guardrails", "-n", ns, "--from", "../../../../examples", "-o", dir,
			"--headroom", "1.2", "--scale-factor", "2.5", "--cpu-utilization", "60", "--max-unavailable", "25%", "--nodes", "5")
		if code != cli.ExitOK {
			t.Fatalf("%s: generate exit %d: %s", ns, code, stderr)
		}
		if kinds := applyAll(t, cs, dir, ns); len(kinds) == 0 {
			t.Errorf("%s: nothing generated", ns)
		}
	}
}

// applyAll creates every object of the files of dir in namespace ns, under strict field
// validation, and counts them by kind.
func applyAll(t *testing.T, cs *kubernetes.Clientset, dir, ns string) map[string]int {
	t.Helper()
	ctx := t.Context()
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		obj, _, err := scheme.Codecs.UniversalDeserializer().Decode(data, nil, nil)
		if err != nil {
			t.Fatalf("%s: %v", f.Name(), err)
		}
		opts := metav1.CreateOptions{FieldValidation: "Strict"}
		switch o := obj.(type) {
		case *networkingv1.NetworkPolicy:
			_, err = cs.NetworkingV1().NetworkPolicies(ns).Create(ctx, o, opts)
		case *corev1.ResourceQuota:
			_, err = cs.CoreV1().ResourceQuotas(ns).Create(ctx, o, opts)
		case *corev1.LimitRange:
			_, err = cs.CoreV1().LimitRanges(ns).Create(ctx, o, opts)
		case *policyv1.PodDisruptionBudget:
			_, err = cs.PolicyV1().PodDisruptionBudgets(ns).Create(ctx, o, opts)
		case *autoscalingv2.HorizontalPodAutoscaler:
			_, err = cs.AutoscalingV2().HorizontalPodAutoscalers(ns).Create(ctx, o, opts)
		default:
			t.Fatalf("%s: unexpected %T", f.Name(), obj)
		}
		if err != nil {
			t.Fatalf("the API server refused %s: %v", f.Name(), err)
		}
		kinds[obj.GetObjectKind().GroupVersionKind().Kind]++
	}
	return kinds
}
