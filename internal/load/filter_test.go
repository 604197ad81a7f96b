package load

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestFilter: --exclude, --include and .akscheckignore select what a directory walk reads, as
// .gitignore patterns do; a bad pattern is an error naming its line, and the rest still loads.
func TestFilter(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	files := map[string]string{
		"app/deploy.yaml":       "apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: n}\n",
		"app/notes.yaml":        "apiVersion: v1\nkind: Service\nmetadata: {name: notes, namespace: n}\n",
		"vendor/x/svc.yaml":     "apiVersion: v1\nkind: Service\nmetadata: {name: vendored, namespace: n}\n",
		"deploy/dev/svc.yaml":   "apiVersion: v1\nkind: Service\nmetadata: {name: dev, namespace: n}\n",
		"deploy/prod/svc.yaml":  "apiVersion: v1\nkind: Service\nmetadata: {name: prod, namespace: n}\n",
		"tools/dockerfile.go":   "package tools\n",
		"images/Dockerfile":     "FROM alpine:3.20\n",
		"images/web.dockerfile": "# syntax=docker/dockerfile:1\nFROM alpine:3.20\n",
	}
	for name, data := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	names := func(opts Options) (string, []string) {
		s := Load(t.Context(), []string{root}, opts)
		var out []string
		for _, o := range s.Objects {
			out = append(out, o.Name())
		}
		for _, o := range s.Others {
			out = append(out, filepath.Base(o.Identity().Source.File))
		}
		var errs []string
		for _, e := range s.Errors {
			errs = append(errs, e.Source+": "+e.Message)
		}
		sort.Strings(out)
		return strings.Join(out, ","), errs
	}
	if got, errs := names(Options{}); got != "Dockerfile,a,dev,notes,prod,vendored,web.dockerfile" || len(errs) > 0 {
		t.Errorf("everything: %s %v (dockerfile.go is no Dockerfile)", got, errs)
	}
	if got, _ := names(Options{Exclude: []string{"vendor", "deploy/dev/**", "notes.*"}}); got != "Dockerfile,a,prod,web.dockerfile" {
		t.Errorf("--exclude: %s", got)
	}
	if got, _ := names(Options{Include: []string{"*.yaml"}, Exclude: []string{"/deploy/"}}); got != "a,notes,vendored" {
		t.Errorf("--include *.yaml, --exclude /deploy/: %s", got)
	}
	if err := os.WriteFile(filepath.Join(root, IgnoreFile), []byte("# generated\nvendor/\n[bad\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, errs := names(Options{})
	if got != "Dockerfile,a,dev,notes,prod,web.dockerfile" {
		t.Errorf(".akscheckignore: %s", got)
	}
	if len(errs) != 1 || !strings.Contains(errs[0], IgnoreFile) || !strings.Contains(errs[0], "line 3") {
		t.Errorf("a bad pattern: errors %v", errs)
	}
}
