package manifest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	}
	if files, err := filepath.Glob(filepath.Join("..", "..", "..", "examples", "*", "*.yaml")); err == nil {
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				seeds = append(seeds, string(data))
			}
		}
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := LoadBytes("fuzz.yaml", data, Options{Namespace: "ns"})
		for _, e := range s.Errors {
			if e.Source != "fuzz.yaml" || e.Message == "" || e.Line < 0 {
				t.Fatalf("bad error entry %+v", e)
			}
			if strings.Contains(e.Message, "internal error") {
				t.Fatalf("the parser panicked: %s", e.Message)
			}
		}
		for _, o := range s.Objects {
			if o.Source.Line < 1 || o.Meta == nil || o.Kind == "" {
				t.Fatalf("bad object %+v", o)
			}
		}
	})
}
