package workload_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/checktest"
	"github.com/akscheck/akscheck/internal/checks/workload"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/report"
)

// TestFixDecisions pins when a check offers a fix and what it edits: the safe cases get one,
// the cases a mechanical edit would break or only silence get none.
func TestFixDecisions(t *testing.T) {
	t.Parallel()
	const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: web
          image: contoso.azurecr.io/web:1.0.0
`
	withContainer := func(extra string) string {
		return deployment + extra
	}
	cat := catalog.MustLoad()
	probe := map[string]map[string]any{"liveness": {"httpGet": map[string]any{"path": "/healthz", "port": "http"}}}
	resources := workload.ResourceDefaults{Requests: map[string]string{"cpu": "100m", "memory": "512Mi"}, Limits: map[string]string{"memory": "512Mi"}}
	for _, tc := range []struct {
		name     string
		check    *check.Check
		yaml     string
		settings check.Settings
		want     []report.Edit // nil: a finding without a fix
	}{
		{"privilege escalation", workload.PrivilegeEscalation, deployment, nil,
			[]report.Edit{{Op: "set", Path: "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation", Value: false}}},
		{"privileged container keeps escalation", workload.PrivilegeEscalation, withContainer("          securityContext: {privileged: true}\n"), nil, nil},
		{"SYS_ADMIN keeps escalation", workload.PrivilegeEscalation, withContainer("          securityContext: {capabilities: {add: [CAP_SYS_ADMIN]}}\n"), nil, nil},
		{"run as root gets a UID", workload.RunAsRoot, deployment, check.Settings{"fixRunAsUser": int64(2000)},
			[]report.Edit{{Op: "set", Path: "spec.template.spec.containers[0].securityContext.runAsNonRoot", Value: true},
				{Op: "set", Path: "spec.template.spec.containers[0].securityContext.runAsUser", Value: int64(2000)}}},
		{"run as a UID keeps it", workload.RunAsRoot, withContainer("          securityContext: {runAsUser: 1000}\n"), nil,
			[]report.Edit{{Op: "set", Path: "spec.template.spec.containers[0].securityContext.runAsNonRoot", Value: true}}},
		{"run as user 0 is left", workload.RunAsRoot, withContainer("          securityContext: {runAsUser: 0}\n"), nil, nil},
		{"unpinned image is left", workload.ImagePullPolicy, `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  containers:
    - {name: c, image: contoso.azurecr.io/web:latest}
`, nil, nil},
		{"read-only root without /tmp", workload.ReadOnlyRootFilesystem, deployment, nil,
			[]report.Edit{{Op: "set", Path: "spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem", Value: true}}},
		{"read-only root with /tmp", workload.ReadOnlyRootFilesystem, deployment, check.Settings{"fixReadOnlyRootTmp": true},
			[]report.Edit{{Op: "set", Path: "spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem", Value: true},
				{Op: "append", Path: "spec.template.spec.volumes", Value: map[string]any{"name": "tmp", "emptyDir": map[string]any{}}},
				{Op: "append", Path: "spec.template.spec.containers[0].volumeMounts", Value: map[string]any{"name": "tmp", "mountPath": "/tmp"}}}},
		{"read-only root beside a tmp volume of another kind", workload.ReadOnlyRootFilesystem,
			withContainer("      volumes: [{name: tmp, hostPath: {path: /tmp}}]\n"), check.Settings{"fixReadOnlyRootTmp": true},
			[]report.Edit{{Op: "set", Path: "spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem", Value: true}}},
		{"token with a binding is left", workload.AutomountServiceAccountToken, deployment + `---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: web, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{kind: ServiceAccount, name: default, namespace: shop}]
`, nil, nil},
		{"resources without defaults", workload.RequestsLimits, deployment, nil, nil},
		{"resources from defaults", workload.MemoryLimits, deployment, check.Settings{"fixResources": resources},
			[]report.Edit{{Op: "set", Path: "spec.template.spec.containers[0].resources.requests.memory", Value: "512Mi"},
				{Op: "set", Path: "spec.template.spec.containers[0].resources.limits.memory", Value: "512Mi"}}},
		{"a default request above the limit is no fix", workload.RequestsLimits,
			withContainer("          resources: {limits: {memory: 256Mi}}\n"), check.Settings{"fixResources": resources}, nil},
		{"probe template on a declared port", workload.LivenessProbe,
			withContainer("          ports: [{name: http, containerPort: 8080}]\n"), check.Settings{"fixProbes": probe},
			[]report.Edit{{Op: "set", Path: "spec.template.spec.containers[0].livenessProbe", Value: map[string]any{"httpGet": map[string]any{"path": "/healthz", "port": "http"}}}}},
		{"probe template on a port not declared", workload.LivenessProbe, deployment, check.Settings{"fixProbes": probe}, nil},
		{"labels without values", workload.RequiredLabels, deployment, nil, nil},
		{"labels from values", workload.RequiredLabels, `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  containers: [{name: c, image: contoso.azurecr.io/web:1.0.0}]
`, check.Settings{"fixLabels": map[string]string{"app.kubernetes.io/name": "${name}", "app.kubernetes.io/instance": "${name}-${namespace}"}},
			[]report.Edit{{Op: "set", Path: `metadata.labels["app.kubernetes.io/name"]`, Value: "p"},
				{Op: "set", Path: `metadata.labels["app.kubernetes.io/instance"]`, Value: "p-shop"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "w.yaml")
			if err := os.WriteFile(path, []byte(tc.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			rep := engine.Run(t.Context(), cat, []*check.Check{tc.check}, checktest.Manifests(t, path), engine.Options{Settings: tc.settings})
			if len(rep.Findings) == 0 {
				t.Fatal("no finding")
			}
			f := rep.Findings[0]
			if tc.want == nil {
				if f.Fix != nil {
					t.Errorf("want no fix, got %+v", f.Fix.Edits)
				}
				return
			}
			if f.Fix == nil {
				t.Fatalf("want a fix, got none (%s)", f.Message)
			}
			if !reflect.DeepEqual(f.Fix.Edits, tc.want) {
				t.Errorf("edits %+v\nwant %+v", f.Fix.Edits, tc.want)
			}
		})
	}
}

// The fix's defaults come from a config: a bad one is an error naming it, and one beyond the
// quantity bounds is refused before ParseQuantity (which takes minutes on it).
func TestFixResourcesSettingValidates(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]string{
		"cpu: 100m":            "",
		"cpu: lots":            `requests.cpu: "lots" is not a quantity`,
		"cpu: '1E-5555555555'": `requests.cpu: "1E-5555555555" is not a quantity akscheck reads: its exponent has more than 3 digits`,
		"gpu: 1":               "requests.gpu: want cpu, memory or ephemeral-storage",
	} {
		_, err := workload.FixResourcesSetting.Decode(func(v any) error {
			return yaml.Unmarshal([]byte("requests: {"+text+"}"), v)
		})
		if (want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("%s: error %v, want %q", text, err, want)
		}
	}
}
