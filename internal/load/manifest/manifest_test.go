package manifest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/subject"
)

type wantObject struct {
	kind, namespace, name string
	line                  int
}

func objectsOf(s *subject.Scan) []wantObject {
	var out []wantObject
	for _, o := range s.Objects {
		out = append(out, wantObject{o.Kind, o.Namespace, o.Name(), o.Source.Line})
	}
	return out
}

func TestLoadBytes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		in          string
		opts        Options
		want        []wantObject
		wantSkipped int
		wantErrs    []string // substrings, with "line N:" prefixes checked separately
		wantErrLine []int
	}{
		{
			name: "multi-document with comments and markers",
			in: "# leading comment\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  namespace: x\n---\n\n" +
				"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b, namespace: x}\n...\n---\n",
			want: []wantObject{{"Service", "x", "a", 3}, {"Deployment", "x", "b", 10}},
		},
		{
			name: "List unpacked with item lines",
			in: "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a, namespace: n}\n" +
				"- apiVersion: v1\n  kind: ServiceAccount\n  metadata: {name: b, namespace: n}\n",
			want: []wantObject{{"ConfigMap", "n", "a", 4}, {"ServiceAccount", "n", "b", 7}},
		},
		{
			name: "typed List kinds unpacked",
			in:   "apiVersion: v1\nkind: ServiceList\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: a}\n",
			want: []wantObject{{"Service", "", "a", 4}},
		},
		{
			name: "JSON document",
			in:   "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\",\n  \"metadata\": {\"name\": \"p\", \"namespace\": \"n\"}\n}\n",
			want: []wantObject{{"Pod", "n", "p", 1}},
		},
		{
			name:        "documents without apiVersion or kind are skipped",
			in:          "foo: bar\n---\n- a\n- b\n---\njust a string\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n",
			want:        []wantObject{{"Namespace", "", "shop", 8}},
			wantSkipped: 3,
		},
		{
			name: "namespace flag places objects that set none, never cluster-scoped ones",
			in:   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: own}\n",
			opts: Options{Namespace: "shop"},
			want: []wantObject{{"ConfigMap", "shop", "a", 1}, {"Namespace", "", "b", 5}, {"ConfigMap", "own", "c", 9}},
		},
		{
			name: "unknown kinds and CRDs are kept",
			in:   "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: s, namespace: n}\nspec: {scaleTargetRef: {name: web}}\n",
			want: []wantObject{{"ScaledObject", "n", "s", 1}},
		},
		{
			name: "a malformed document is an error and the others load",
			in: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: [\n---\n" +
				"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
			want:        []wantObject{{"ConfigMap", "", "a", 1}, {"ConfigMap", "", "c", 9}},
			wantErrs:    []string{"malformed YAML"},
			wantErrLine: []int{7},
		},
		{
			name: "a wrong field type is an error naming the field's line",
			in: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: three\n---\n" +
				"apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - port: 80\n  - port: http\n",
			wantErrs: []string{`Deployment "d": field spec.replicas`, `Service "s": field spec.ports.port`},
			// Line 13: the port that holds a string, not the first port of the list.
			wantErrLine: []int{5, 13},
		},
		{
			name: "the wrong field type in the second container is reported at that container's field",
			in: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers:\n" +
				"      - name: a\n        ports:\n        - containerPort: 80\n      - name: b\n        ports:\n        - containerPort: 8080\n        - containerPort: http\n",
			wantErrs:    []string{`Deployment "d": field spec.template.spec.containers.ports.containerPort: a string is not valid here (want int32)`},
			wantErrLine: []int{14},
		},
		{
			name: "a list where a quantity belongs is reported at its line",
			in: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers:\n" +
				"      - name: a\n        resources:\n          limits:\n            cpu: [1]\n",
			wantErrs:    []string{`Deployment "d": field spec.template.spec.containers[0].resources.limits.cpu: a list is not a quantity`},
			wantErrLine: []int{11},
		},
		{
			name:        "a mapping where a list belongs is named as YAML names it",
			in:          "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    command: {a: b}\n",
			wantErrs:    []string{`Pod "p": field spec.containers.command: a mapping is not valid here (want []string)`},
			wantErrLine: []int{7},
		},
		{
			name: "metadata of the wrong type on an unknown kind",
			in:   "apiVersion: x.io/v1\nkind: Thing\nmetadata: 42\n",
			wantErrs: []string{
				"Thing (unnamed)",
			},
			wantErrLine: []int{3},
		},
		{
			name: "an apiVersion that cannot hold a built-in kind is an error; custom kinds of the same name load",
			in: "apiVersion: v1\nkind: Deployment\nmetadata: {name: web}\n---\napiVersion: apps/v1\nkind: Service\nmetadata: {name: web}\n---\n" +
				"apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: fn}\n---\napiVersion: apps/v1beta2\nkind: Deployment\nmetadata: {name: old}\n",
			want: []wantObject{{"Service", "", "fn", 9}, {"Deployment", "", "old", 13}},
			wantErrs: []string{
				`Deployment "web": apiVersion v1 has no kind Deployment (want apps/v1)`,
				`Service "web": apiVersion apps/v1 has no kind Service (want v1)`,
			},
			wantErrLine: []int{1, 5},
		},
		{
			name: "duplicate keys are an error naming both lines; merged keys may be overridden",
			in: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  k: one\n  x: y\n  k: two\n---\n" +
				"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  <<: {name: merged}\n  name: own\n",
			want:        []wantObject{{"ConfigMap", "", "own", 9}},
			wantErrs:    []string{`ConfigMap "a": duplicate key "k" at lines 5 and 7`},
			wantErrLine: []int{7},
		},
		{
			name: "a bad quantity is an error at its field's line",
			in: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers:\n" +
				"      - name: a\n        env: [{name: PASSWORD, value: hunter2}]\n        resources: {limits: {cpu: 1, memory: ~}}\n      - name: b\n        resources:\n          limits:\n            memory: lots\n",
			want:        []wantObject{{"ConfigMap", "", "c", 1}},
			wantErrs:    []string{`Deployment "d": field spec.template.spec.containers[1].resources.limits.memory: "lots" is not a quantity`},
			wantErrLine: []int{18},
		},
		{
			name: "an HPA's bad target value is found there, not in an annotation",
			in: "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h, annotations: {limits: hunter2}}\nspec:\n  metrics:\n" +
				"  - type: Pods\n    pods:\n      metric: {name: rps}\n      target:\n        type: AverageValue\n        averageValue: lots\n",
			wantErrs:    []string{`HorizontalPodAutoscaler "h": field spec.metrics[0].pods.target.averageValue: "lots" is not a quantity`},
			wantErrLine: []int{11},
		},
		{
			// ParseQuantity takes minutes on these; the API server has the same parser.
			name: "a quantity beyond akscheck's bounds is an error at its line, and free text of that shape is not",
			in: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, annotations: {note: '1E-5555555555'}}\nspec:\n  template:\n    spec:\n      containers:\n" +
				"      - name: a\n        env: [{name: E, value: '1E-5555555555'}]\n        resources:\n          limits:\n            cpu: '1E-5555555555'\n            memory: 1E-5555555555\n---\n" +
				"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    resources: {requests: {memory: \"1" + strings.Repeat("0", 100_000) + "\"}}\n---\n" +
				"apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n  metrics:\n" +
				"  - type: Pods\n    pods:\n      metric: {name: rps}\n      target: {type: AverageValue, averageValue: E5555555555}\n---\n" +
				"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {cpu: '1E-5555555555'}\n",
			want: []wantObject{{"ConfigMap", "", "c", 33}},
			wantErrs: []string{
				`Deployment "d": field spec.template.spec.containers[0].resources.limits.cpu: "1E-5555555555" is not a quantity akscheck reads: its exponent has more than 3 digits`,
				`Pod "p": field spec.containers[0].resources.requests.memory: "100000000000000000000000…" (100001 characters) is not a quantity akscheck reads: longer than 64 characters`,
				`HorizontalPodAutoscaler "h": field spec.metrics[0].pods.target.averageValue: "E5555555555" is not a quantity akscheck reads: its exponent has more than 3 digits`,
			},
			wantErrLine: []int{12, 21, 31},
		},
		{
			name:        "alias bomb",
			in:          aliasBomb(),
			wantErrs:    []string{"alias"},
			wantErrLine: []int{1},
		},
		{
			name:        "merge-key bomb",
			in:          mergeBomb(),
			wantErrs:    []string{"alias"},
			wantErrLine: []int{1},
		},
		{
			name:        "deep nesting",
			in:          "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n",
			wantErrs:    []string{"deep"},
			wantErrLine: []int{1},
		},
		{
			name:        "invalid UTF-8",
			in:          "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: \"\xff\xfe\"}\n",
			want:        []wantObject{{"ConfigMap", "", "ok", 1}},
			wantErrs:    []string{"invalid UTF-8"},
			wantErrLine: []int{7},
		},
		{
			name:        "binary",
			in:          "\x7fELF\x02\x01\x01\x00\x00\x00binary",
			wantErrs:    []string{"binary file"},
			wantErrLine: []int{1},
		},
		{
			name:        "merge keys and anchors",
			in:          "base: &base {labels: {app: web}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  <<: {name: merged, namespace: n}\n  namespace: own\n",
			want:        []wantObject{{"ConfigMap", "own", "merged", 3}},
			wantSkipped: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := LoadBytes("f.yaml", []byte(tt.in), tt.opts)
			got := objectsOf(s)
			if len(got) != len(tt.want) {
				t.Fatalf("objects = %v, want %v (errors %+v)", got, tt.want, s.Errors)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("object %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
			if s.Skipped != tt.wantSkipped {
				t.Errorf("skipped = %d, want %d", s.Skipped, tt.wantSkipped)
			}
			if len(s.Errors) != len(tt.wantErrs) {
				t.Fatalf("errors = %+v, want %d containing %q", s.Errors, len(tt.wantErrs), tt.wantErrs)
			}
			for i, e := range s.Errors {
				if e.Source != "f.yaml" {
					t.Errorf("error %d names %q, want f.yaml", i, e.Source)
				}
				if !strings.Contains(e.Message, tt.wantErrs[i]) {
					t.Errorf("error %d = %q, want it to contain %q", i, e.Message, tt.wantErrs[i])
				}
				if e.Line != tt.wantErrLine[i] {
					t.Errorf("error %d (%s) at line %d, want %d", i, e.Message, e.Line, tt.wantErrLine[i])
				}
			}
		})
	}
}

func aliasBomb() string {
	return anchorBomb("x0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n", "x", "a", "[", "]", 10, 9)
}

func mergeBomb() string {
	return anchorBomb("m0: &m0 {a: 1, b: 2, c: 3, d: 4}\n", "m", "m", "{<<: [", "]}", 12, 8)
}

// anchorBomb is a ConfigMap whose level 0 is first, and each further level i (up to levels)
// is key<i>: &anchor<i> open *anchor<i-1>,… (refs times) close: it expands exponentially.
func anchorBomb(first, key, anchor, open, closing string, levels, refs int) string {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\n" + first)
	for i := 1; i < levels; i++ {
		b.WriteString(key + itoa(i) + ": &" + anchor + itoa(i) + " " + open)
		for j := 0; j < refs; j++ {
			if j > 0 {
				b.WriteString(",")
			}
			b.WriteString("*" + anchor + itoa(i-1))
		}
		b.WriteString(closing + "\n")
	}
	return b.String()
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestTypedDecodingAndSecretRedaction(t *testing.T) {
	t.Parallel()
	in := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: n}\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers: [{name: c, image: x}]\n" +
		"---\napiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: n}\ndata: {password: c2VjcmV0}\nstringData: {token: hunter2}\n"
	s := LoadBytes("f.yaml", []byte(in), Options{})
	if len(s.Objects) != 2 {
		t.Fatalf("got %d objects, errors %+v", len(s.Objects), s.Errors)
	}
	d, ok := s.Objects[0].Typed.(*appsv1.Deployment)
	if !ok || *d.Spec.Replicas != 3 || d.Spec.Template.Spec.Containers[0].Image != "x" {
		t.Errorf("deployment not decoded: %#v", s.Objects[0].Typed)
	}
	sec := s.Objects[1].Typed.(*corev1.Secret)
	if len(sec.Data) != 1 || len(sec.Data["password"]) != 0 || sec.StringData["token"] != "" {
		t.Errorf("secret values were kept: %v %v", sec.Data, sec.StringData)
	}
	if s.Objects[1].Raw() != nil {
		t.Error("secret raw JSON kept")
	}
}

// Objects of removed apiVersions are evaluated as their replacement: typed as it, with the
// apiVersion kept as written.
func TestRemovedVersionsDecodeAsReplacement(t *testing.T) {
	t.Parallel()
	in := "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: web, namespace: n}\nspec:\n" +
		"  template:\n    metadata: {labels: {app: web}}\n    spec:\n      hostNetwork: true\n      containers: [{name: c, image: 'nginx:latest'}]\n" +
		"---\napiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: nightly, namespace: n}\nspec:\n  schedule: '@daily'\n" +
		"  jobTemplate: {spec: {template: {spec: {containers: [{name: c, image: x}]}}}}\n" +
		"---\napiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: restricted}\nspec: {privileged: false}\n" +
		"---\napiVersion: apps/v1beta2\nkind: Deployment\nmetadata: {name: bad}\nspec:\n  replicas: many\n"
	s := LoadBytes("f.yaml", []byte(in), Options{})
	if len(s.Objects) != 3 {
		t.Fatalf("objects = %v, errors %+v", objectsOf(s), s.Errors)
	}
	d, ok := s.Objects[0].Typed.(*appsv1.Deployment)
	if !ok || !d.Spec.Template.Spec.HostNetwork || d.Spec.Selector == nil {
		t.Errorf("extensions/v1beta1 Deployment not decoded as apps/v1: %#v", s.Objects[0].Typed)
	}
	if o := s.Objects[0]; o.APIVersion != "extensions/v1beta1" || o.Name() != "web" || o.Namespace != "n" || o.Raw() != nil {
		t.Errorf("object = %+v", o)
	}
	if _, ok := s.Objects[1].Typed.(*batchv1.CronJob); !ok || s.Objects[1].APIVersion != "batch/v1beta1" {
		t.Errorf("batch/v1beta1 CronJob = %#v", s.Objects[1])
	}
	// No Go type for PodSecurityPolicy: untyped, as before.
	if o := s.Objects[2]; o.Typed != nil || o.Raw() == nil || o.Name() != "restricted" {
		t.Errorf("PodSecurityPolicy = %#v", o)
	}
	// A wrong field type in a converted object is an error at its line.
	if len(s.Errors) != 1 || !strings.Contains(s.Errors[0].Message, `Deployment "bad": field spec.replicas`) || s.Errors[0].Line != 27 {
		t.Errorf("errors = %+v", s.Errors)
	}
}

// A Secret of an apiVersion with no Go type (a CRD named Secret) keeps its JSON: its values
// are blanked whatever the version. Core versions that cannot hold a Secret are errors that
// name no value.
func TestSecretValuesBlankedWhateverTheVersion(t *testing.T) {
	t.Parallel()
	for _, apiVersion := range []string{"example.com/v1", "secrets.example.com/v2", "v1", "v2", "v1beta1"} {
		in := "apiVersion: " + apiVersion + "\nkind: Secret\nmetadata: {name: s, namespace: n}\ndata: {password: aHVudGVyMg==}\nstringData: {token: hunter2}\n"
		s := LoadBytes("f.yaml", []byte(in), Options{})
		if len(s.Objects)+len(s.Errors) != 1 {
			t.Fatalf("%s: objects %v, errors %+v", apiVersion, objectsOf(s), s.Errors)
		}
		dump := fmt.Sprintf("%+v", s.Errors)
		for _, o := range s.Objects {
			dump += fmt.Sprintf("%s %#v %+v", o.Raw(), o.Typed, o)
		}
		if strings.Contains(dump, "hunter2") || strings.Contains(dump, "aHVudGVyMg") {
			t.Errorf("%s: a value survived in the loaded object: %s", apiVersion, dump)
		}
	}
}

// TestPack: with Pack, the bodies worth it (a workload's, a Service's) are kept packed, and
// read back as decoded; a small kind's body stays decoded.
func TestPack(t *testing.T) {
	t.Parallel()
	doc := `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "ghcr.io/shop/web:1.4"}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web, namespace: shop}
data: {mode: fast}
`
	s := LoadBytes("app.yaml", []byte(doc), Options{Pack: true})
	if len(s.Errors) > 0 || len(s.Objects) != 3 {
		t.Fatalf("objects %d, errors %+v", len(s.Objects), s.Errors)
	}
	packed := map[string]bool{}
	for _, o := range s.Objects {
		packed[o.Kind] = o.Packed()
	}
	if !packed["Deployment"] || !packed["Service"] || packed["ConfigMap"] {
		t.Errorf("packed %v; want the Deployment and the Service", packed)
	}
	d, ok := s.Objects[0].Body().(*appsv1.Deployment)
	if !ok || *d.Spec.Replicas != 3 || d.Spec.Template.Spec.Containers[0].Image != "ghcr.io/shop/web:1.4" || d.Name != "web" || d.Labels["app"] != "web" {
		t.Errorf("the packed Deployment reads back as %+v", s.Objects[0].Body())
	}
	if s.Objects[0].Source.Line != 1 || s.Objects[1].Source.Line != 11 {
		t.Errorf("lines %d, %d; want 1, 11", s.Objects[0].Source.Line, s.Objects[1].Source.Line)
	}
}
