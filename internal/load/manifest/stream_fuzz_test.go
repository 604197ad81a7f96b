package manifest

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/akscheck/akscheck/internal/subject"
	"github.com/akscheck/akscheck/internal/testutil"
)

// FuzzStream checks that parsing a file with one parser (loadStream) loads exactly what a
// parser per document loads: the same objects (kind, name, namespace, line, typed value),
// the same errors at the same lines, the same skipped count. Findings are kept in
// testdata/fuzz/FuzzStream.
func FuzzStream(f *testing.F) {
	cm := func(name, body string) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + "}\n" + body
	}
	seeds := []string{
		cm("a", "data: {a: b}\n") + "---\n" + cm("b", "data:\n  k: |+\n    x\n\n") + "---\n" + cm("c", "data:\n  k: >-\n    y\n\n\n"),
		"# head\n---\n\n---\n# only a comment\n---\n" + cm("a", "") + "...\n" + cm("b", "") + "...\n",
		cm("a", "data: &d {a: b}\n") + "---\n" + cm("b", "data: *d\n"),
		cm("a", "data: &d {a: b}\n") + "---\n" + cm("b", "x: &d {c: d}\ndata: *d\n"),
		cm("a", "data: &d {a: b}\n") + "---\n" + cm("b", "data: {<<: *d, c: d}\n"),
		"%YAML 1.2\n---\n" + cm("a", "") + "---\n" + cm("b", ""),
		"%TAG !k! tag:k8s:\n---\n" + cm("a", "data: !k!x {a: b}\n"),
		"--- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n--- " + cm("b", ""),
		cm("a", "data: [\n") + "---\n" + cm("b", "") + "---\n" + cm("c", "data: {a: 'b\n"),
		cm("a", "data: {a: 'b\n---\nc'}\n"),
		cm("a", "data:\n  a: \"b\n---\n  c\"\n"),
		"apiVersion: v1\r\nkind: ConfigMap\r\nmetadata: {name: a}\r\n---\r\n" + cm("b", "data: {a: \"x\ry\"}\n"),
		cm("a", "data: {a: \"x\u2028y\"}\n") + "---\n" + cm("b", "data: {a: 1}\n"),
		cm("a", "") + "---\n\xff\n---\n" + cm("b", ""),
		"\ufeff" + cm("a", "") + "---\n\ufeff" + cm("b", ""),
		cm("a", "") + "---\n- 1\n---\nplain\n---\n~\n---\n!!null\n---\n&x\n---\n" + cm("b", ""),
		"apiVersion: v1\nkind: List\nitems:\n- " + "{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: c, image: x}]}}\n---\n" + cm("b", "data: {a: b, a: c}\n"),
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: n}\nspec: {replicas: x}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {a: aGVsbG8=}\n",
		"apiVersion: v1\nkind: Deployment\nmetadata: {name: wrong}\n---\n" + cm("a", ""),
		"---\n---\n...\n...\n---",
		"a: |\n  x\n---\nb: |\n  y\n...\n",
	}
	testutil.AddSeeds(f, seeds, filepath.Join("..", "..", "..", "examples", "*", "*.yaml"))
	f.Fuzz(func(t *testing.T, data []byte) {
		testutil.WithinBudget(t, testutil.FuzzBudget, func() {
			opts := Options{Namespace: "ns"}
			perDocument := loadBytes("fuzz.yaml", data, opts, false)
			stream := loadBytes("fuzz.yaml", data, opts, true)
			compareScans(t, perDocument, stream)
		})
	})
}

func compareScans(t *testing.T, want, got *subject.Scan) {
	t.Helper()
	if !reflect.DeepEqual(want.Errors, got.Errors) {
		t.Fatalf("errors differ\nper document: %+v\nstream:       %+v", want.Errors, got.Errors)
	}
	if want.Skipped != got.Skipped {
		t.Fatalf("skipped: %d per document, %d with the stream", want.Skipped, got.Skipped)
	}
	if len(want.Objects) != len(got.Objects) {
		t.Fatalf("%d objects per document, %d with the stream", len(want.Objects), len(got.Objects))
	}
	for i, w := range want.Objects {
		g := got.Objects[i]
		if w.APIVersion != g.APIVersion || w.Kind != g.Kind || w.Meta.Name != g.Meta.Name ||
			w.Namespace != g.Namespace || w.Source != g.Source {
			t.Fatalf("object %d differs\nper document: %s %s %s/%s at %+v\nstream:       %s %s %s/%s at %+v", i,
				w.APIVersion, w.Kind, w.Namespace, w.Meta.Name, w.Source, g.APIVersion, g.Kind, g.Namespace, g.Meta.Name, g.Source)
		}
		if !reflect.DeepEqual(w, g) {
			a, _ := json.Marshal(w.Typed)
			b, _ := json.Marshal(g.Typed)
			t.Fatalf("object %d (%s %s) differs\nper document: %s %s\nstream:       %s %s", i, w.Kind, w.Meta.Name, a, w.Raw(), b, g.Raw())
		}
	}
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("scans differ\nper document: %+v\nstream:       %+v", want, got)
	}
}
