package load

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestLargeFilesLoadTheSameStreamed: a YAML file read a batch of documents at a time
// (StreamFileSize) loads what it loads whole, and JSON and binary files are still read
// whole: the examples and a file of many documents, one bad, each read both ways.
func TestLargeFilesLoadTheSameStreamed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var many strings.Builder
	many.WriteString("\ufeff# generated\n")
	for i := range 600 {
		fmt.Fprintf(&many, "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c%d, namespace: n%d}\ndata: {k: v}\n", i, i%7)
		if i == 300 {
			many.WriteString("---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: bad}\nspec: {replicas: many}\n")
		}
	}
	write(t, dir, "many.yaml", many.String())
	write(t, dir, "list.json", `{"apiVersion":"v1","kind":"List","items":[`+strings.Repeat(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"j"}},`, 50)+`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"last"}}]}`)
	write(t, dir, "binary.yaml", "a: b\n\x00\x01")
	paths := []string{filepath.Join("..", "..", "examples"), dir}

	for name, want := range map[string]bool{"many.yaml": true, "list.json": false, "binary.yaml": false} {
		if _, ok := streamManifest(t.Context(), filepath.Join(dir, name), Options{StreamFileSize: 1}); ok != want {
			t.Errorf("%s streamed: %v, want %v", name, ok, want)
		}
	}
	if _, ok := streamManifest(t.Context(), filepath.Join(dir, "many.yaml"), Options{}); ok {
		t.Error("a file under DefaultStreamFileSize was streamed")
	}

	whole := Load(t.Context(), paths, Options{StreamFileSize: 1 << 40})
	streamed := Load(t.Context(), paths, Options{StreamFileSize: 1})
	if len(whole.Objects) < 700 || len(whole.Errors) < 2 {
		t.Fatalf("%d objects and %d errors read whole: the test reads less than it should", len(whole.Objects), len(whole.Errors))
	}
	if len(streamed.Objects) != len(whole.Objects) {
		t.Fatalf("%d objects streamed, %d whole", len(streamed.Objects), len(whole.Objects))
	}
	for i, w := range whole.Objects {
		if s := streamed.Objects[i]; !reflect.DeepEqual(s, w) {
			t.Fatalf("object %d: streamed %s %s/%s at %+v, whole %s %s/%s at %+v", i,
				s.Kind, s.Namespace, s.Name(), s.Source, w.Kind, w.Namespace, w.Name(), w.Source)
		}
	}
	if !reflect.DeepEqual(streamed.Errors, whole.Errors) || streamed.Skipped != whole.Skipped ||
		!reflect.DeepEqual(streamed.Inputs, whole.Inputs) || !reflect.DeepEqual(streamed.Evidence, whole.Evidence) {
		t.Fatalf("streamed: errors %+v, skipped %d, inputs %+v, evidence %v\nwhole: errors %+v, skipped %d, inputs %+v, evidence %v",
			streamed.Errors, streamed.Skipped, streamed.Inputs, streamed.Evidence, whole.Errors, whole.Skipped, whole.Inputs, whole.Evidence)
	}
}

// TestStreamedFileOverTheTotalBudget: a streamed file counts against --max-total-size as a
// whole one does.
func TestStreamedFileOverTheTotalBudget(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, "a.yaml", strings.Repeat(cm("a")+"---\n", 100))
	write(t, dir, "b.yaml", cm("b"))
	s := Load(t.Context(), []string{dir}, Options{StreamFileSize: 1, MaxTotalSize: 2000})
	if len(s.Errors) != 1 || !strings.Contains(s.Errors[0].Message, "--max-total-size") {
		t.Fatalf("errors = %+v", s.Errors)
	}
}
