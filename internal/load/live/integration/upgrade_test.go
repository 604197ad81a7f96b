//go:build integration

package integration

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"

	"github.com/akscheck/akscheck/internal/cli"
	"github.com/akscheck/akscheck/internal/load/live"
	"github.com/akscheck/akscheck/internal/subject"
)

// upgradeSecretValue is a made-up credential in a Helm release's values: no output may show it.
const upgradeSecretValue = "helm-values-s3cr3t-never-shown"

// helmReleaseData is a release as Helm's storage driver writes it into the Secret's
// "release" key: JSON, gzip, base64.
func helmReleaseData(t *testing.T) []byte {
	t.Helper()
	rel, err := json.Marshal(map[string]any{
		"name": "flows", "namespace": "legacy", "version": 4,
		"manifest": "---\n# Source: flows/templates/flow.yaml\napiVersion: flowcontrol.apiserver.k8s.io/v1beta3\nkind: FlowSchema\nmetadata:\n  name: flows-batch\n",
		"config":   map[string]any{"auth": map[string]any{"password": upgradeSecretValue}},
		"info":     map[string]any{"status": "deployed"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(rel); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return []byte(base64.StdEncoding.EncodeToString(buf.Bytes()))
}

// TestUpgradePlanLive: upgrade-plan on a running cluster finds the apiVersions the API
// server no longer shows: a budget whose last-applied copy names policy/v1beta1, and a Helm
// release (a helm.sh/release.v1 Secret) whose manifest holds a v1beta3 FlowSchema; a budget
// whose status allows no disruption blocks the drain. No value of the release is printed.
func TestUpgradePlanLive(t *testing.T) {
	t.Parallel()
	api, err := env.StartAPIServer("upgrade")
	if err != nil {
		t.Fatal(err)
	}
	defer api.Stop()
	cs, err := kubernetes.NewForConfig(api.Config(adminToken))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "legacy"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	lastApplied := `{"apiVersion":"policy/v1beta1","kind":"PodDisruptionBudget","metadata":{"name":"web","namespace":"legacy"},"spec":{"minAvailable":2,"selector":{"matchLabels":{"app":"web"}}}}`
	two := intstr.FromInt32(2)
	pdb, err := cs.PolicyV1().PodDisruptionBudgets("legacy").Create(ctx, &policyv1.PodDisruptionBudget{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "legacy", Annotations: map[string]string{"kubectl.kubernetes.io/last-applied-configuration": lastApplied}},
		Spec:       policyv1.PodDisruptionBudgetSpec{MinAvailable: &two, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}},
	}, metav1.CreateOptions{FieldManager: "kubectl-client-side-apply"})
	if err != nil {
		t.Fatal(err)
	}
	// No disruption controller runs here: the status is what it would write for two
	// healthy pods of two.
	pdb.Status = policyv1.PodDisruptionBudgetStatus{ObservedGeneration: pdb.Generation, ExpectedPods: 2, CurrentHealthy: 2, DesiredHealthy: 2, DisruptionsAllowed: 0}
	if _, err := cs.PolicyV1().PodDisruptionBudgets("legacy").UpdateStatus(ctx, pdb, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err = cs.CoreV1().Secrets("legacy").Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "sh.helm.release.v1.flows.v4", Namespace: "legacy",
			Labels: map[string]string{"owner": "helm", "status": "deployed", "name": "flows", "version": "4"}},
		Type: "helm.sh/release.v1",
		Data: map[string][]byte{"release": helmReleaseData(t)},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}

	// An autoscaler created through autoscaling/v1, which the scan lists as autoscaling/v2.
	_, err = cs.AutoscalingV1().HorizontalPodAutoscalers("legacy").Create(ctx, &autoscalingv1.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "legacy"},
		Spec: autoscalingv1.HorizontalPodAutoscalerSpec{ScaleTargetRef: autoscalingv1.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"},
			MaxReplicas: 4},
	}, metav1.CreateOptions{FieldManager: "old-pipeline"})
	if err != nil {
		t.Fatal(err)
	}

	// What the live loader keeps: the writers' versions, the release's manifest objects, and
	// no Secret data.
	s := live.LoadConfig(ctx, api.Config(adminToken), "upgrade", live.Options{HelmReleases: true})
	written := map[string][]string{}
	for _, o := range s.Objects {
		written[o.Kind+"/"+o.Name()] = o.WrittenAs()
		if sec, ok := o.Body().(*corev1.Secret); ok && (len(sec.Data) > 0 || len(sec.StringData) > 0) {
			t.Errorf("Secret %s kept its data", o.Name())
		}
	}
	if got := written["PodDisruptionBudget/web"]; len(got) == 0 || got[0] != "policy/v1beta1" {
		t.Errorf("the budget's written versions = %v, want policy/v1beta1 (last-applied) first", got)
	}
	if got := written["HorizontalPodAutoscaler/web"]; !slices.Contains(got, "autoscaling/v1") {
		t.Errorf("the autoscaler's written versions = %v, want autoscaling/v1 (managedFields)", got)
	}
	releases := 0
	for _, o := range s.Others {
		if h, ok := o.(*subject.HelmRelease); ok {
			releases++
			if h.Name != "flows" || h.Revision != 4 || len(h.Objects) != 1 || h.Objects[0].APIVersion != "flowcontrol.apiserver.k8s.io/v1beta3" {
				t.Errorf("release %+v", h)
			}
		}
	}
	if releases != 1 {
		t.Errorf("%d Helm releases read, want 1", releases)
	}

	kc := api.Kubeconfig(t, map[string]string{"upgrade": adminToken}, "upgrade")
	for _, format := range []string{"json", "table", "markdown", "yaml", "sarif", "junit", "html", "csv"} {
		code, out, stderr := runCLI(t, "upgrade-plan", "--cluster", "--kubeconfig", kc, "--to", "1.37", "-o", format)
		if strings.Contains(out, upgradeSecretValue) || strings.Contains(stderr, upgradeSecretValue) {
			t.Fatalf("%s: a value of the Helm release was printed", format)
		}
		if code != cli.ExitFindings {
			t.Errorf("%s: exit %d, want 1 (no-go)\n%s", format, code, stderr)
		}
		if format != "json" {
			continue
		}
		var plan struct {
			Verdict  string
			Sections []struct {
				ID       string
				Findings []struct {
					Rule, Message, Via string
					Object             struct{ APIVersion, Kind, Name string }
				}
			}
		}
		if err := json.Unmarshal([]byte(out), &plan); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		got := map[string]bool{}
		for _, s := range plan.Sections {
			for _, f := range s.Findings {
				got[f.Rule+" "+f.Via+" "+f.Object.Kind+" "+f.Object.APIVersion+" "+f.Object.Name] = true
			}
		}
		for _, want := range []string{
			"upgrade-removed-api last-applied PodDisruptionBudget policy/v1beta1 web",
			"upgrade-removed-api helm-release FlowSchema flowcontrol.apiserver.k8s.io/v1beta3 flows-batch",
			"upgrade-pdb-blocks  PodDisruptionBudget policy/v1 web",
		} {
			if !got[want] {
				t.Errorf("no finding %q in %v", want, got)
			}
		}
		if plan.Verdict != "no-go" {
			t.Errorf("verdict %s", plan.Verdict)
		}
	}
}
