package load

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/load/manifest"
)

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func cm(name string) string {
	return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + "}\n"
}

func TestLoadPaths(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, "a.yaml", cm("a"))
	write(t, dir, "sub/b.yml", cm("b"))
	write(t, dir, "sub/c.json", `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}`)
	write(t, dir, "sub/package.json", `{"name":"web","version":"1.0.0"}`)
	write(t, dir, "sub/notes.txt", cm("ignored"))
	write(t, dir, ".git/d.yaml", cm("ignored"))
	big := write(t, dir, "big/big.yaml", "")
	if err := os.Truncate(big, 2048); err != nil {
		t.Fatal(err)
	}
	explicit := write(t, t.TempDir(), "manifest.txt", cm("explicit"))

	s := Load(t.Context(), []string{dir, filepath.Join(dir, "missing.yaml"), "-", explicit},
		Options{Manifest: manifest.Options{Stdin: strings.NewReader(cm("stdin")), MaxFileSize: 1024}})
	var names []string
	for _, o := range s.Objects {
		names = append(names, o.Name()+"@"+filepath.Base(o.Source.File))
	}
	want := "a@a.yaml b@b.yml c@c.json stdin@<stdin> explicit@manifest.txt"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("objects = %s, want %s", got, want)
	}
	if s.Skipped != 1 {
		t.Errorf("skipped = %d, want 1 (package.json)", s.Skipped)
	}
	if len(s.Errors) != 2 {
		t.Fatalf("errors = %+v, want the big file and the missing file", s.Errors)
	}
	if !strings.Contains(s.Errors[0].Message, "larger than the 1024-byte limit") || s.Errors[0].Source != big {
		t.Errorf("big file error = %+v", s.Errors[0])
	}
	if !strings.Contains(s.Errors[1].Message, "no such file") {
		t.Errorf("missing file error = %+v", s.Errors[1])
	}
	if !s.Evidence["manifest"] {
		t.Error("manifest evidence not recorded")
	}
}

// TestHugeFile checks that a 100 MB file gets a clear error without being read into memory.
func TestHugeFile(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "huge.yaml")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(100 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	s := Load(t.Context(), []string{p}, Options{})
	if len(s.Errors) != 1 || !strings.Contains(s.Errors[0].Message, "larger than") {
		t.Fatalf("errors = %+v", s.Errors)
	}
}

func TestStdinLimit(t *testing.T) {
	t.Parallel()
	s := Load(t.Context(), []string{"-"}, Options{Manifest: manifest.Options{Stdin: bytes.NewReader(make([]byte, 2000)), MaxFileSize: 1000}})
	if len(s.Errors) != 1 || s.Errors[0].Source != "<stdin>" {
		t.Fatalf("errors = %+v", s.Errors)
	}
}

// TestBicepIsListed: without a compiler, a .bicep file met in a walk, or named, is one error
// entry that says how to compile it, never silently left out nor read as YAML.
func TestBicepIsListed(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no bicep on PATH
	dir := t.TempDir()
	bicep := write(t, dir, "infra/main.bicep", "resource aks 'Microsoft.ContainerService/managedClusters@2024-01-01' = {}\n")
	for _, paths := range [][]string{{dir}, {bicep}} {
		s := Load(t.Context(), paths, Options{})
		if len(s.Errors) != 1 || s.Errors[0].Source != bicep || !strings.Contains(s.Errors[0].Message, "az bicep build --file "+bicep) ||
			!strings.Contains(s.Errors[0].Message, "not on PATH") || len(s.Inputs) != 0 {
			t.Errorf("%v: errors = %+v, inputs %+v", paths, s.Errors, s.Inputs)
		}
	}
	// A compiler named but not found says so.
	s := Load(t.Context(), []string{bicep}, Options{Bicep: BicepOptions{Compiler: filepath.Join(dir, "no-such-bicep")}})
	if len(s.Errors) != 1 || !strings.Contains(s.Errors[0].Message, "no-such-bicep") {
		t.Errorf("named compiler: errors = %+v", s.Errors)
	}
}

// TestMaxTotalSize: the file that passes the run's budget is an error entry and nothing after
// it is read, in a walk or named; with more files than are decoded ahead (inOrder's window),
// so that stopping the run early is exercised too.
func TestMaxTotalSize(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var files []string
	for i := range 40 {
		n := fmt.Sprintf("f%02d", i)
		files = append(files, write(t, dir, n+".yaml", cm(n)))
	}
	size := int64(len(cm("f00")))
	for _, paths := range [][]string{{dir}, files} {
		s := Load(t.Context(), paths, Options{MaxTotalSize: 2*size + 1})
		if len(s.Objects) != 2 || len(s.Errors) != 1 || s.Errors[0].Source != files[2] ||
			!strings.Contains(s.Errors[0].Message, "total limit (--max-total-size)") {
			t.Errorf("%v: objects = %d, errors = %+v", paths, len(s.Objects), s.Errors)
		}
	}
	if s := Load(t.Context(), []string{dir}, Options{}); len(s.Objects) != 40 || len(s.Errors) != 0 {
		t.Errorf("default budget: objects = %d, errors = %+v", len(s.Objects), s.Errors)
	}
}
