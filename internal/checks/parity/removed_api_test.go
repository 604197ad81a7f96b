package parity

import (
	"github.com/akscheck/akscheck/internal/subject"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/check"
)

// Issue 20, "objects of removed API versions vanish": kube-score, kube-linter and Polaris
// fixtures written in apps/v1beta1, apps/v1beta2 and extensions/v1beta1 got no finding at all
// from akscheck. Each object of a removed version is now evaluated as its current equivalent,
// and removed-api names the version and its replacement.

// removedAPIPodSpec is a pod template that fails privileged-container, host-network and latest-tag.
const removedAPIPodSpec = `
  template:
    metadata:
      labels: {app: web}
    spec:
      hostNetwork: true
      containers:
        - name: web
          image: nginx:latest
          securityContext:
            privileged: true
`

func TestRemovedAPIWorkloadsAreEvaluated(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		apiVersion, kind, removedIn, replacement string
		selector                                 bool // the version required a selector
	}{
		{"apps/v1beta2", "Deployment", "1.16", "apps/v1", true},
		{"apps/v1beta1", "Deployment", "1.16", "apps/v1", false},
		{"extensions/v1beta1", "Deployment", "1.16", "apps/v1", false},
		{"apps/v1beta2", "DaemonSet", "1.16", "apps/v1", true},
		{"extensions/v1beta1", "DaemonSet", "1.16", "apps/v1", false},
		{"apps/v1beta1", "StatefulSet", "1.16", "apps/v1", false},
		{"apps/v1beta2", "StatefulSet", "1.16", "apps/v1", true},
		{"extensions/v1beta1", "ReplicaSet", "1.16", "apps/v1", false},
	} {
		t.Run(tc.apiVersion+"/"+tc.kind, func(t *testing.T) {
			t.Parallel()
			doc := "apiVersion: " + tc.apiVersion + "\nkind: " + tc.kind + "\nmetadata: {name: web, namespace: shop}\nspec:\n"
			if tc.selector {
				doc += "  selector: {matchLabels: {app: web}}\n"
			}
			rep := scan(t, doc+removedAPIPodSpec)
			got := removedAPIFindings(rep, "web")
			for _, id := range []string{"privileged-container", "host-network", "latest-tag", "removed-api"} {
				if len(got[id]) == 0 {
					t.Errorf("no %s finding (got %v)", id, removedAPIChecks(got))
				}
			}
			if f := got["removed-api"]; len(f) == 1 {
				want := tc.kind + " web uses " + tc.apiVersion + ", removed in Kubernetes " + tc.removedIn + ": use " + tc.replacement
				if f[0].Message != want || f[0].Severity != check.High || f[0].Location.Path != "apiVersion" {
					t.Errorf("removed-api = %q (%s at %s), want %q (high at apiVersion)", f[0].Message, f[0].Severity, f[0].Location.Path, want)
				}
				if f[0].Object.APIVersion != tc.apiVersion {
					t.Errorf("the finding names %s, want the version as written", f[0].Object.APIVersion)
				}
			}
		})
	}
}

func TestRemovedAPICronJobIsEvaluated(t *testing.T) {
	t.Parallel()
	rep := scan(t, `apiVersion: batch/v1beta1
kind: CronJob
metadata: {name: web, namespace: shop}
spec:
  schedule: "0 2 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          hostNetwork: true
          containers:
            - name: web
              image: nginx:latest
              securityContext: {privileged: true}
`)
	got := removedAPIFindings(rep, "web")
	for _, id := range []string{"privileged-container", "host-network", "latest-tag", "removed-api"} {
		if len(got[id]) == 0 {
			t.Errorf("no %s finding (got %v)", id, removedAPIChecks(got))
		}
	}
	if f := got["removed-api"]; len(f) > 0 && !strings.Contains(f[0].Message, "batch/v1beta1, removed in Kubernetes 1.25: use batch/v1") {
		t.Errorf("removed-api = %q", f[0].Message)
	}
}

// A policy/v1beta1 PDB protects its Deployment as a policy/v1 one does; its empty selector
// protects nothing, as the API server read it (policy/v1's {} would select every pod).
func TestRemovedAPIPodDisruptionBudget(t *testing.T) {
	t.Parallel()
	deployment := `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "contoso.azurecr.io/web:1.0.0"}]
---
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata: {name: web-pdb, namespace: shop}
spec:
  minAvailable: 2
`
	covered := scan(t, deployment+"  selector: {matchLabels: {app: web}}\n")
	if f := removedAPIFindings(covered, "web-pdb")["removed-api"]; len(f) != 1 || !strings.Contains(f[0].Message, "use policy/v1") {
		t.Errorf("removed-api on the PDB = %+v", f)
	}
	if f := removedAPIFindings(covered, "web")["pdb-coverage"]; len(f) > 0 {
		t.Errorf("the policy/v1beta1 PDB does not cover web: %s", f[0].Message)
	}
	empty := scan(t, deployment+"  selector: {}\n")
	if f := removedAPIFindings(empty, "web")["pdb-coverage"]; len(f) != 1 {
		t.Error("a policy/v1beta1 PDB with an empty selector covers web (it selects no pod)")
	}
	if f := removedAPIFindings(empty, "web-pdb")["pdb-selects-nothing"]; len(f) != 1 {
		t.Error("no pdb-selects-nothing on the policy/v1beta1 PDB with an empty selector")
	}
}

// An autoscaling/v2beta1 HPA is read with its metrics converted: it targets the Deployment,
// so the Deployment is autoscaled, and its CPU target needs CPU requests.
func TestRemovedAPIHorizontalPodAutoscaler(t *testing.T) {
	t.Parallel()
	for _, apiVersion := range []string{"autoscaling/v2beta1", "autoscaling/v2beta2"} {
		metric := "      resource: {name: cpu, targetAverageUtilization: 70}\n"
		if apiVersion == "autoscaling/v2beta2" {
			metric = "      resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}\n"
		}
		rep := scan(t, `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "contoso.azurecr.io/web:1.0.0"}]
---
apiVersion: `+apiVersion+`
kind: HorizontalPodAutoscaler
metadata: {name: web-hpa, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 10
  metrics:
    - type: Resource
`+metric)
		hpa := removedAPIFindings(rep, "web-hpa")
		if len(hpa["removed-api"]) != 1 || len(hpa["hpa-missing-requests"]) != 1 {
			t.Errorf("%s: findings on the HPA %v, want removed-api and hpa-missing-requests", apiVersion, removedAPIChecks(hpa))
		}
		if web := removedAPIFindings(rep, "web"); len(web["autoscaling"]) > 0 {
			t.Errorf("%s: the Deployment is reported as not autoscaled", apiVersion)
		}
	}
}

// Documented difference: a kind akscheck has no Go type for (PodSecurityPolicy, removed with
// no replacement) is not evaluated beyond removed-api.
func TestRemovedAPIPodSecurityPolicy(t *testing.T) {
	t.Parallel()
	rep := scan(t, "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: web}\nspec: {privileged: true}\n")
	got := removedAPIFindings(rep, "web")
	if len(got) != 1 || len(got["removed-api"]) != 1 || !strings.Contains(got["removed-api"][0].Message, "no replacement: use Pod Security Admission") {
		t.Errorf("findings = %+v", got)
	}
}

// An apiVersion that is no valid group/version for its kind is an error entry, not silence.
func TestRemovedAPIInvalidGroupVersion(t *testing.T) {
	t.Parallel()
	rep := scanAs(t, subject.InputManifest, "apiVersion: v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n"+removedAPIPodSpec+
		"---\napiVersion: apps/v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {type: LoadBalancer}\n")
	if len(rep.Findings) > 0 {
		t.Errorf("objects the API server rejects were evaluated: %+v", rep.Findings)
	}
	want := []struct {
		line int
		msg  string
	}{
		{1, `Deployment "web": apiVersion v1 has no kind Deployment (want apps/v1)`},
		{17, `Service "web": apiVersion apps/v1 has no kind Service (want v1)`},
	}
	if len(rep.Errors) != len(want) {
		t.Fatalf("errors = %+v, want %d", rep.Errors, len(want))
	}
	for i, w := range want {
		if e := rep.Errors[i]; e.Source != "parity.yaml" || e.Line != w.line || !strings.Contains(e.Message, w.msg) {
			t.Errorf("error %d = %+v, want parity.yaml:%d %q", i, e, w.line, w.msg)
		}
	}
}

func removedAPIChecks[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
