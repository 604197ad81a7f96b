package checks

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/checktest"
)

// checkPackages are the folders holding checks, each with testdata/<check-id>/ fixtures.
var checkPackages = Packages()

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
	// A former ID (Meta.Aliases) stays reserved: users' configs and annotations still name it.
	former := map[string]string{}
	for _, c := range All() {
		for _, old := range c.Aliases {
			if seen[old] || former[old] != "" {
				t.Errorf("check %s: former ID %s is taken by another check or alias", c.ID, old)
			}
			former[old] = c.ID
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

// TestFixtures runs the checks that manifests feed on their fixtures, package by package:
// testdata/<id>/pass_*.yaml must give no finding of the check and be something the check
// applies to; fail_*.yaml must give at least one. Checks fed by other inputs are run by their
// package's own suite.
func TestFixtures(t *testing.T) {
	t.Parallel()
	for _, pkg := range checkPackages {
		skip := map[string]bool{"base": true} // the base the cluster fixtures patch
		var fed int
		for _, c := range Of(pkg) {
			if fedByManifests(c) && !passesOnlyWithCluster(filepath.Join(pkg, "testdata", c.ID)) {
				fed++
			} else {
				skip[c.ID] = true
			}
		}
		if fed == 0 {
			continue
		}
		t.Run(pkg, func(t *testing.T) {
			t.Parallel()
			checktest.Suite{Checks: Of(pkg), Dir: filepath.Join(pkg, "testdata"), Pattern: "*.yaml",
				Load: checktest.Manifests, Skip: skip}.Run(t)
		})
	}
}

// passesOnlyWithCluster reports whether a check's pass fixtures are all folders that pair
// manifests with the cluster's configuration (*_cluster): the check cannot pass on manifests
// alone (it needs the cluster's settings), and its package's own suite runs all its fixtures
// (checktest.Files).
func passesOnlyWithCluster(dir string) bool {
	files, _ := filepath.Glob(filepath.Join(dir, "pass_*.yaml"))
	folders, _ := filepath.Glob(filepath.Join(dir, "pass_*_cluster"))
	return len(files) == 0 && len(folders) > 0
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
