package load

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/load/manifest"
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

// TestStdinLoadsAsTheSameFile: standard input, read a batch of documents at a time when it
// is YAML and whole otherwise, loads what the same content loads from a file read whole.
func TestStdinLoadsAsTheSameFile(t *testing.T) {
	t.Parallel()
	var many strings.Builder
	for _, f := range []string{"cart.yaml", "catalog.yaml", "legacy.yaml"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "examples", "k8s", f))
		if err != nil {
			t.Fatal(err)
		}
		many.Write(data)
		many.WriteString("\n---\n")
	}
	many.WriteString("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: bad}\nspec: {replicas: many}\n")
	cluster, err := os.ReadFile(filepath.Join("..", "..", "examples", "cluster", "aks-shop-prod.json"))
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{
		"yaml": many.String(), "arm json": string(cluster), "manifest json": `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"j"}}`,
		"empty": "", "binary": "a: b\n\x00",
	} {
		file := write(t, t.TempDir(), "in.yaml", content)
		whole := Load(t.Context(), []string{file}, Options{StreamFileSize: 1 << 40})
		stdin := Load(t.Context(), []string{"-"}, Options{Manifest: manifest.Options{Stdin: strings.NewReader(content)}})
		if len(stdin.Objects) != len(whole.Objects) || len(stdin.Others) != len(whole.Others) ||
			len(stdin.Errors) != len(whole.Errors) || stdin.Skipped != whole.Skipped ||
			!reflect.DeepEqual(stdin.Evidence, whole.Evidence) || len(stdin.Inputs) != len(whole.Inputs) {
			t.Errorf("%s: from standard input %d objects, %d others, errors %+v, skipped %d, evidence %v, inputs %+v;\nfrom a file %d, %d, %+v, %d, %v, %+v",
				name, len(stdin.Objects), len(stdin.Others), stdin.Errors, stdin.Skipped, stdin.Evidence, stdin.Inputs,
				len(whole.Objects), len(whole.Others), whole.Errors, whole.Skipped, whole.Evidence, whole.Inputs)
			continue
		}
		for i, w := range whole.Objects {
			s := stdin.Objects[i]
			if s.Kind != w.Kind || s.Namespace != w.Namespace || s.Name() != w.Name() || s.Source.Line != w.Source.Line ||
				!reflect.DeepEqual(s.Typed, w.Typed) {
				t.Errorf("%s: object %d from standard input %s %s/%s at line %d, from a file %s %s/%s at line %d",
					name, i, s.Kind, s.Namespace, s.Name(), s.Source.Line, w.Kind, w.Namespace, w.Name(), w.Source.Line)
			}
		}
		for i, w := range whole.Errors {
			if s := stdin.Errors[i]; s.Line != w.Line || s.Message != w.Message {
				t.Errorf("%s: error %d from standard input %+v, from a file %+v", name, i, s, w)
			}
		}
	}
}
