package load

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/subject"
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

// TestNamedTerraformFileReadsItsModule: main.tf named alone keeps the variables and tfvars of
// the files beside it, so a value set there is known, not lost.
func TestNamedTerraformFileReadsItsModule(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, data string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("main.tf", `resource "azurerm_kubernetes_cluster" "aks" {
  name                    = "aks"
  location                = "westeurope"
  private_cluster_enabled = var.private
}
`)
	write("variables.tf", "variable \"private\" {\n  type = bool\n}\n")
	write("terraform.tfvars", "private = true\n")
	s := Load(t.Context(), []string{filepath.Join(dir, "main.tf")}, Options{})
	if len(s.Errors) > 0 {
		t.Fatalf("errors: %+v", s.Errors)
	}
	var found bool
	for _, o := range s.Others {
		if c, ok := o.(*subject.Cluster); ok {
			found = true
			if !c.PrivateCluster.True() {
				t.Errorf("private_cluster_enabled = %+v: the module's tfvars were not read", c.PrivateCluster)
			}
		}
	}
	if !found {
		t.Fatal("no cluster read from main.tf")
	}
	// Named twice (and beside each other): one module, one cluster.
	s = Load(t.Context(), []string{filepath.Join(dir, "main.tf"), filepath.Join(dir, "variables.tf")}, Options{})
	if len(s.Others) != 1 {
		t.Errorf("%d subjects from main.tf and variables.tf named together, want 1", len(s.Others))
	}
}
