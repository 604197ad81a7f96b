package manifest

import (
	"path/filepath"
	"testing"

	"github.com/akscheck/akscheck/internal/testutil"
)

// FuzzLoadBytes feeds arbitrary bytes to the loader. It must never panic (a recovered panic
// shows as an "internal error" entry, which fails here too), every error must name its source,
// and every object must have a 1-based line. Findings of the fuzzer are kept in
// testdata/fuzz/FuzzLoadBytes and run as regression cases by plain `go test`.
func FuzzLoadBytes(f *testing.F) {
	seeds := []string{
		"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: x}]}\n",
		"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n",
		"{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"d\"},\"spec\":{\"replicas\":\"x\"}}",
		"a: &a [1,2]\nb: *a\n<<: *a\n",
		"--- !!map\n? [a]\n: b\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  <<: [*x]\n",
		aliasBomb(),
		mergeBomb(),
		"\xff\xfe\x00a",
		// Removed apiVersions, converted to their replacement's schema.
		"apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  strategy: {rollingUpdate: {}}\n  template: {metadata: {labels: {a: b}}}\n",
		"apiVersion: autoscaling/v2beta1\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n  metrics: [{type: Object, object: {target: {kind: Ingress}, targetValue: 1}}, {resource: {targetAverageUtilization: 50}}]\n",
		"apiVersion: networking.k8s.io/v1beta1\nkind: Ingress\nmetadata: {name: i}\nspec:\n  backend: {serviceName: s, servicePort: 80}\n  rules: [{http: {paths: [{backend: {servicePort: http}}]}}]\n",
		"apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: p}\nspec: {selector: {}}\n",
		"apiVersion: rbac.authorization.k8s.io/v1alpha1\nkind: RoleBinding\nmetadata: {name: r}\nsubjects: [{kind: User, apiVersion: x/y}]\n",
		"apiVersion: v1\nkind: Deployment\nmetadata: {name: wrong}\n",
		// Quantities beyond the bounds ParseQuantity is given (minutes each without them).
		"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {overhead: {cpu: '1E-5555555555', memory: E5555555555}}\n",
		"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":{\"overhead\":{\"cpu\":\"\\u0031E-5555555555\"}}}",
	}
	testutil.AddSeeds(f, seeds, filepath.Join("..", "..", "..", "examples", "*", "*.yaml"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// A hang is a failing input, not a fuzzer that never returns.
		testutil.WithinBudget(t, testutil.FuzzBudget, func() {
			s := LoadBytes("fuzz.yaml", data, Options{Namespace: "ns"})
			testutil.CheckLoadErrors(t, "fuzz.yaml", s.Errors)
			for _, o := range s.Objects {
				if o.Source.Line < 1 || o.Meta == nil || o.Kind == "" {
					t.Fatalf("bad object %+v", o)
				}
			}
		})
	})
}
