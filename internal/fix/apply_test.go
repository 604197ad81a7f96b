package fix

import (
	"fmt"
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

func TestApplyLayouts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
		line     int
		edit     Edit
		want     string // "" for a refusal
		refusal  string
	}{
		{name: "CRLF and no final line break", line: 1,
			in:   "kind: Pod\r\nspec:\r\n  hostPID: true",
			edit: Edit{Op: OpSet, Path: "spec.automountServiceAccountToken", Value: false},
			want: "kind: Pod\r\nspec:\r\n  hostPID: true\r\n  automountServiceAccountToken: false\r\n"},
		{name: "compact lists stay compact", line: 1,
			in:   "kind: Pod\nspec:\n  containers:\n  - name: c\n    image: x\n",
			edit: Edit{Op: OpAppend, Path: "spec.volumes", Value: map[string]any{"name": "tmp", "emptyDir": map[string]any{}}},
			want: "kind: Pod\nspec:\n  containers:\n  - name: c\n    image: x\n  volumes:\n  - name: tmp\n    emptyDir: {}\n"},
		{name: "a key with no value", line: 1,
			in:   "kind: Pod\nspec:\n  securityContext:\n  hostPID: false\n",
			edit: Edit{Op: OpSet, Path: "spec.securityContext.runAsNonRoot", Value: true},
			want: "kind: Pod\nspec:\n  securityContext:\n    runAsNonRoot: true\n  hostPID: false\n"},
		{name: "an explicit null", line: 1,
			in:   "kind: Pod\nspec:\n  securityContext: null # none\n",
			edit: Edit{Op: OpSet, Path: "spec.securityContext.runAsNonRoot", Value: true},
			want: "kind: Pod\nspec:\n  securityContext: {runAsNonRoot: true} # none\n"},
		{name: "an item of a List", line: 4,
			in:   "kind: List\nitems:\n  - kind: Pod\n    metadata: {name: a}\n  - kind: Pod\n    metadata: {name: b}\n",
			edit: Edit{Op: OpSet, Path: "metadata.labels.app", Value: "b"},
			want: ""},
		{name: "an item of a List by its line", line: 5,
			in:   "kind: List\nitems:\n  - kind: Pod\n    metadata: {name: a}\n  - kind: Pod\n    metadata: {name: b}\n",
			edit: Edit{Op: OpSet, Path: "metadata.labels.app", Value: "b"},
			want: "kind: List\nitems:\n  - kind: Pod\n    metadata: {name: a}\n  - kind: Pod\n    metadata: {name: b, labels: {app: b}}\n"},
		{name: "already set", line: 1,
			in:   "kind: Pod\nspec: {hostPID: false}\n",
			edit: Edit{Op: OpSet, Path: "spec.hostPID", Value: false},
			want: "kind: Pod\nspec: {hostPID: false}\n"},
		{name: "already in the list", line: 1,
			in:   "kind: Pod\ndrop:\n  - ALL\n",
			edit: Edit{Op: OpAppend, Path: "drop", Value: "ALL"},
			want: "kind: Pod\ndrop:\n  - ALL\n"},
		{name: "an alias", line: 1, refusal: "alias",
			in:   "kind: Pod\nx: &a {y: 1}\nspec: *a\n",
			edit: Edit{Op: OpSet, Path: "spec.z", Value: true}},
		{name: "a merge key", line: 1, refusal: "merge key",
			in:   "kind: Pod\nspec:\n  <<: {y: 1}\n",
			edit: Edit{Op: OpSet, Path: "spec.z", Value: true}},
		{name: "a block scalar", line: 1, refusal: "block",
			in:   "kind: Pod\nspec:\n  z: |\n    text\n",
			edit: Edit{Op: OpSet, Path: "spec.z", Value: "other"}},
		{name: "a list index out of range", line: 1, refusal: "no item [3]",
			in:   "kind: Pod\nspec:\n  containers: []\n",
			edit: Edit{Op: OpSet, Path: "spec.containers[3].image", Value: "x"}},
		{name: "no object at the line", line: 2, refusal: "no object starts at line 2",
			in:   "kind: Pod\nspec: {}\n",
			edit: Edit{Op: OpSet, Path: "spec.x", Value: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, res, err := Apply([]byte(tc.in), []Change{{Line: tc.line, Edits: []Edit{tc.edit}}})
			if err != nil {
				t.Fatal(err)
			}
			if tc.refusal != "" || tc.want == "" {
				if res[0].Applied || string(out) != tc.in || !strings.Contains(fmt.Sprint(res[0].Err), tc.refusal) {
					t.Errorf("want a refusal saying %q, got %v and\n%s", tc.refusal, res[0].Err, out)
				}
				return
			}
			if !res[0].Applied {
				t.Fatalf("refused: %v", res[0].Err)
			}
			if string(out) != tc.want {
				t.Errorf("got:\n%q\nwant:\n%q", out, tc.want)
			}
		})
	}
}

// TestApplyStream: each document of a stream is edited on its own text; the markers, the
// comments between documents and an inline document stay.
func TestApplyStream(t *testing.T) {
	t.Parallel()
	in := "# first\nkind: A\nspec: {}\n---\n# second\nkind: B\nspec:\n  x: 1\n...\n--- {kind: C, spec: {}}\n---\nkind: D\n"
	changes := []Change{
		{Line: 2, Kind: "A", Edits: []Edit{{Op: OpSet, Path: "spec.y", Value: true}}},
		{Line: 6, Kind: "B", Edits: []Edit{{Op: OpSet, Path: "spec.y", Value: true}}},
		{Line: 10, Kind: "C", Edits: []Edit{{Op: OpSet, Path: "spec.y", Value: true}}},
		{Line: 12, Kind: "A", Edits: []Edit{{Op: OpSet, Path: "spec.y", Value: true}}},
	}
	out, res, err := Apply([]byte(in), changes)
	if err != nil {
		t.Fatal(err)
	}
	want := "# first\nkind: A\nspec: {y: true}\n---\n# second\nkind: B\nspec:\n  x: 1\n  y: true\n...\n--- {kind: C, spec: {y: true}}\n---\nkind: D\n"
	if string(out) != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}
	for i, r := range res[:3] {
		if !r.Applied {
			t.Errorf("change %d: %v", i, r.Err)
		}
	}
	if res[3].Applied || !strings.Contains(res[3].Err.Error(), "is not A") {
		t.Errorf("the change naming the wrong kind: %+v", res[3])
	}
}
