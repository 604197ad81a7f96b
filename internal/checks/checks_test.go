package checks

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/testutil"
)

// checkPackages are the folders holding checks, each with testdata/<check-id>/ fixtures.
var checkPackages = []string{"workload", "object", "network", "resources", "storage", "windows", "rbac", "live", "cluster", "dockerfile", "vuln"}

func TestMetadata(t *testing.T) {
	t.Parallel()
	cat := catalog.MustLoad()
	seen := map[string]bool{}
	for _, c := range All() {
		if seen[c.ID] {
			t.Errorf("check ID %s is used twice", c.ID)
		}
		seen[c.ID] = true
		if err := c.Validate(cat); err != nil {
			t.Error(err)
		}
		if it, ok := cat.Item(c.Item); ok {
			for _, ev := range c.EvidenceKinds() {
				// Manifests hold the same objects as the live API: an item proved by cluster
				// objects can be proved by manifests too.
				if ev == catalog.Manifest && it.HasEvidence(catalog.Cluster) {
					continue
				}
				if ev != catalog.Cluster && !it.HasEvidence(ev) {
					t.Errorf("check %s reads %s evidence, which item %s does not list", c.ID, ev, c.Item)
				}
			}
		}
	}
}

// TestEveryCheckIsRegistered parses the check packages and fails when a check variable is not
// returned by All(): a check that is written but not wired in does not exist.
func TestEveryCheckIsRegistered(t *testing.T) {
	t.Parallel()
	registered := map[string]bool{}
	for _, c := range All() {
		registered[c.ID] = true
	}
	fset := token.NewFileSet()
	for _, dir := range checkPackages {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			af, err := parser.ParseFile(fset, f, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(af, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				if len(call.Args) == 0 {
					return true
				}
				id := metaID(call.Args[0])
				if id != "" && !registered[id] {
					t.Errorf("%s: check %s is not returned by checks.All()", fset.Position(call.Pos()), id)
				}
				return true
			})
		}
	}
}

// metaID is the ID of a check.Meta literal: the first argument of check.New and of the
// helpers that build checks of a shared shape (cluster.poolCheck, say), all of which take the
// check's metadata first.
func metaID(e ast.Expr) string {
	lit, ok := e.(*ast.CompositeLit)
	if !ok {
		return ""
	}
	sel, ok := lit.Type.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Meta" {
		return ""
	}
	if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "check" {
		return ""
	}
	for _, el := range lit.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "ID" {
			if s, ok := kv.Value.(*ast.BasicLit); ok {
				return strings.Trim(s.Value, `"`)
			}
		}
	}
	return ""
}

// TestFixtures runs each check on its fixtures: testdata/<id>/pass_*.yaml must give no finding
// of the check and must be something the check applies to; fail_*.yaml must give at least one.
func TestFixtures(t *testing.T) {
	t.Parallel()
	cat := catalog.MustLoad()
	dirs := map[string]string{}
	for _, pkg := range checkPackages {
		matches, _ := filepath.Glob(filepath.Join(pkg, "testdata", "*"))
		for _, m := range matches {
			if filepath.Base(m) == "base" {
				continue // the base the fixtures patch (cluster/testdata/base), not a check's
			}
			dirs[filepath.Base(m)] = m
		}
	}
	known := map[string]bool{}
	for _, c := range All() {
		known[c.ID] = true
		if !fedByManifests(c) {
			continue // fed by other inputs: its package's own fixture test runs it
		}
		dir, ok := dirs[c.ID]
		if !ok {
			t.Errorf("check %s has no fixtures folder testdata/%s", c.ID, c.ID)
			continue
		}
		passes, _ := filepath.Glob(filepath.Join(dir, "pass_*.yaml"))
		fails, _ := filepath.Glob(filepath.Join(dir, "fail_*.yaml"))
		if len(passes) == 0 || len(fails) == 0 {
			t.Errorf("check %s needs at least one pass_ and one fail_ fixture (has %d and %d)", c.ID, len(passes), len(fails))
		}
		for _, f := range append(passes, fails...) {
			c, f := c, f
			t.Run(c.ID+"/"+filepath.Base(f), func(t *testing.T) {
				t.Parallel()
				testutil.Expect(t, cat, c, f, runFixture(t, cat, c, f))
			})
		}
	}
	for id, dir := range dirs {
		if !known[id] {
			t.Errorf("%s holds fixtures of no check", dir)
		}
	}
}

func runFixture(t *testing.T, cat *catalog.Catalog, c *check.Check, file string) *report.Report {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	scan := manifest.LoadBytes(file, data, manifest.Options{})
	if len(scan.Errors) > 0 {
		t.Fatalf("fixture does not load: %+v", scan.Errors)
	}
	scan.Evidence[catalog.Manifest] = true
	return engine.Run(t.Context(), cat, []*check.Check{c}, scan, engine.Options{})
}

// fedByManifests reports whether manifests can feed a check, so that its fixtures are
// manifests this test can run.
func fedByManifests(c *check.Check) bool {
	for _, ev := range c.EvidenceKinds() {
		if ev == catalog.Manifest {
			return true
		}
	}
	return false
}
