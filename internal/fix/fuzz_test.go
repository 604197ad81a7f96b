package fix

import (
	"bytes"
	"sort"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/testutil"
)

// fuzzValues are the values the fuzzer's edits write: every shape a check's edit has.
var fuzzValues = []any{true, false, "ALL", "IfNotPresent", "needs: quoting", int64(10001), "",
	map[string]any{"name": "tmp", "emptyDir": map[string]any{}},
	map[string]any{"exec": map[string]any{"command": []any{"/bin/health"}}, "periodSeconds": int64(10)},
	[]any{"a", int64(1)}}

// fuzzPaths are the paths tried besides the fuzzer's own and those found in the input.
var fuzzPaths = []string{"spec.template.spec.containers[0].securityContext.runAsNonRoot", "metadata.labels[\"app.kubernetes.io/name\"]",
	"spec.template.spec.volumes", "spec.containers[0].securityContext.capabilities.drop", "a.b", "items[0].x"}

// FuzzApply applies random edits to random YAML: it never panics, a text it returns always
// parses, and a change it refuses leaves the text as it was.
func FuzzApply(f *testing.F) {
	testutil.AddSeeds(f, []string{
		"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    securityContext:\n",
		"a: [1, 'x']\n---\nb: {c: \"d\"} # c\n...\n",
		"kind: List\nitems:\n  - kind: Pod\n    spec: {}\n",
		"x: &a {y: 1}\nz: *a\n<<: *a\n",
		"s: |\n  text\n  more\nt: >-\n  folded\n",
	}, "../checks/workload/testdata/*/fail_*.yaml", "../checks/object/testdata/*/fail_*.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		testutil.WithinBudget(t, 2*time.Second, func() {
			objs, err := Objects(data)
			if err != nil {
				if _, _, aerr := Apply(data, []Change{{Edits: []Edit{{Op: OpSet, Path: "a", Value: true}}}}); aerr == nil {
					t.Fatalf("Objects failed (%v) but Apply parsed", err)
				}
				return
			}
			lines := make([]int, 0, len(objs))
			for line := range objs {
				lines = append(lines, line)
			}
			sort.Ints(lines)
			seed := len(data)
			var changes []Change
			for i, line := range lines {
				paths := append(append([]string{}, fuzzPaths...), pathsOf(objs[line], "", 3)...)
				for j, p := range paths {
					if (i+j+seed)%3 != 0 {
						continue
					}
					op := OpSet
					if (i+j)%2 == 1 {
						op = OpAppend
					}
					changes = append(changes, Change{Line: line, Edits: []Edit{{Op: op, Path: p, Value: fuzzValues[(i+j+seed)%len(fuzzValues)]}}})
				}
			}
			out, outcomes, err := Apply(data, changes)
			if err != nil {
				t.Fatalf("the input parsed, but Apply says %v", err)
			}
			applied := false
			for _, o := range outcomes {
				applied = applied || o.Applied
			}
			if _, err := parseStream(out); err != nil {
				t.Fatalf("the output does not parse: %v\n%s", err, out)
			}
			if !applied && !bytes.Equal(out, data) {
				t.Fatalf("no change applied, but the text changed:\n%s", out)
			}
		})
	})
}

// pathsOf lists the field paths of a decoded object, to depth levels.
func pathsOf(v any, prefix string, depth int) []string {
	if depth == 0 {
		return nil
	}
	var out []string
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			if !plainKey(k) {
				p = prefix + "[" + quote(k) + "]"
			}
			out = append(out, p)
			out = append(out, pathsOf(x[k], p, depth-1)...)
		}
	case []any:
		for i, e := range x {
			p := prefix + "[" + itoa(i) + "]"
			out = append(out, pathsOf(e, p, depth-1)...)
		}
	}
	return out
}
