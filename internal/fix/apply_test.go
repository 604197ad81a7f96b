package fix

import (
	"strings"
	"testing"
)

func TestApplyCases(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in string
		line     int
		edits    []Edit
		want     string
	}{
		{
			name: "insert into block mapping, comments and blank lines kept",
			in: `# top
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # the name

spec:
  template:
    spec:
      containers:
        - name: web
          image: "nginx:1.27"
          securityContext:
            runAsUser: 1000 # uid
          # trailing comment
      volumes: []
`,
			line: 2,
			edits: []Edit{
				{Op: OpSet, Path: "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation", Value: false},
				{Op: OpAppend, Path: "spec.template.spec.containers[0].securityContext.capabilities.drop", Value: "ALL"},
				{Op: OpAppend, Path: "spec.template.spec.volumes", Value: map[string]any{"name": "tmp", "emptyDir": map[string]any{}}},
				{Op: OpAppend, Path: "spec.template.spec.containers[0].volumeMounts", Value: map[string]any{"name": "tmp", "mountPath": "/tmp"}},
				{Op: OpSet, Path: `metadata.labels["app.kubernetes.io/name"]`, Value: "web"},
			},
			want: `# top
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # the name
  labels:
    app.kubernetes.io/name: web

spec:
  template:
    spec:
      containers:
        - name: web
          image: "nginx:1.27"
          securityContext:
            runAsUser: 1000 # uid
            allowPrivilegeEscalation: false
            capabilities:
              drop:
                - ALL
          volumeMounts:
            - name: tmp
              mountPath: /tmp
          # trailing comment
      volumes: [{name: tmp, emptyDir: {}}]
`,
		},
		{
			name: "replace scalars in their quoting, flow mapping, second document",
			in:   "a: 1\n---\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    imagePullPolicy: 'Always'\n    securityContext: {privileged: false}\n    resources:\n",
			line: 3,
			edits: []Edit{
				{Op: OpSet, Path: "spec.containers[0].imagePullPolicy", Value: "IfNotPresent"},
				{Op: OpSet, Path: "spec.containers[0].securityContext.runAsNonRoot", Value: true},
				{Op: OpSet, Path: "spec.containers[0].resources.limits.cpu", Value: "1"},
			},
			want: "a: 1\n---\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    imagePullPolicy: 'IfNotPresent'\n    securityContext: {privileged: false, runAsNonRoot: true}\n    resources:\n      limits:\n        cpu: \"1\"\n",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out, res, err := Apply([]byte(c.in), []Change{{Line: c.line, Edits: c.edits}})
			if err != nil {
				t.Fatal(err)
			}
			if !res[0].Applied {
				t.Fatalf("not applied: %v", res[0].Err)
			}
			if string(out) != c.want {
				t.Errorf("got:\n%s\nwant:\n%s", out, c.want)
			}
		})
	}
}

func TestApplyRefuses(t *testing.T) {
	t.Parallel()
	in := "kind: Pod\nmetadata: {name: p}\nspec: &s\n  containers: []\n"
	out, res, err := Apply([]byte(in), []Change{{Line: 1, Edits: []Edit{{Op: OpSet, Path: "spec.hostNetwork", Value: false}}}})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Applied || !strings.Contains(res[0].Err.Error(), "anchor") || string(out) != in {
		t.Errorf("want a refusal naming the anchor, got %v and\n%s", res[0].Err, out)
	}
	if _, _, err := Apply([]byte("a: [\n"), nil); err == nil {
		t.Error("want a parse error")
	}
}

// TestApplyVerifies: an insertion the splicer would get wrong (after a block scalar that keeps
// its trailing blank lines, which the new key would steal) is refused by the read-back check,
// and the text is left as it was.
func TestApplyVerifies(t *testing.T) {
	t.Parallel()
	in := "kind: ConfigMap\nmetadata:\n  name: x\n  annotations:\n    a: |+\n      text\n\nspec: {}\n"
	out, res, err := Apply([]byte(in), []Change{{Line: 1, Edits: []Edit{{Op: OpSet, Path: "metadata.annotations.b", Value: "v"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Applied || !strings.Contains(res[0].Err.Error(), "would not read back") || string(out) != in {
		t.Errorf("want a refusal, got %v and\n%s", res[0].Err, out)
	}
}
