package admit

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestAdmissionReadsNoStatus: the checks run at admission, and the index they read other
// objects through, read no object's status. live.Cache.Version does not move on an update of
// a status alone (autoscalers and disruption budgets write theirs as metrics and pods move),
// so the webhook judges beside an index whose objects' statuses may be older than the
// cluster's. Only the checks of a live cluster (never run at admission) read statuses.
func TestAdmissionReadsNoStatus(t *testing.T) {
	t.Parallel()
	allowed := []string{
		"../checks/live/",           // live-cluster checks: their subject is the cluster, never admitted
		"../checks/checktest/",      // the fixtures' harness (an item's status in the report)
		"../subject/controlled.go",  // where a live Pod runs, for the live checks
		"../subject/defender.go",    // Defender for Cloud's assessments, from Azure
		"../subject/convert.go",     // removes the status of a converted object
		"../subject/status.go",      // clears what no check reads of a live object's status
		"../checks/custom/model.go", // an ACR quarantine policy's "status" setting
	}
	fset := token.NewFileSet()
	for _, root := range []string{"../checks", "../subject"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			path = filepath.ToSlash(path)
			if slices.ContainsFunc(allowed, func(a string) bool { return strings.HasPrefix(path, a) }) {
				return nil
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.SelectorExpr:
					if n.Sel.Name == "Status" {
						t.Errorf("%s reads a Status: a check run at admission may not read another object's status", fset.Position(n.Pos()))
					}
				case *ast.BasicLit:
					if n.Kind == token.STRING && strings.EqualFold(strings.Trim(n.Value, "\"`"), "status") {
						t.Errorf("%s names a status: a check run at admission may not read another object's status", fset.Position(n.Pos()))
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
