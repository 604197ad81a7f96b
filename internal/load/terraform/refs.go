package terraform

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/akscheck/akscheck/internal/subject"
)

// checkModule reports what Terraform itself rejects in a module and akscheck would
// otherwise read silently: references to variables and locals that no block declares (read
// as unknown) when undeclared is set, and a block with both count and for_each. Each is an
// error entry at its line.
func (m *module) checkModule(undeclared bool) {
	var errs []subject.LoadError
	at := func(r hcl.Range, format string, args ...any) {
		errs = append(errs, subject.LoadError{Source: r.Filename, Line: r.Start.Line, Message: fmt.Sprintf(format, args...)})
	}
	seen := map[string]bool{}
	var walk func(body *hclsyntax.Body, depth int)
	walk = func(body *hclsyntax.Body, depth int) {
		for _, a := range body.Attributes {
			for _, tr := range a.Expr.Variables() {
				if !undeclared || len(tr) < 2 {
					continue
				}
				step, ok := tr[1].(hcl.TraverseAttr)
				if !ok {
					continue
				}
				var msg string
				switch tr.RootName() {
				case "var":
					if _, ok := m.variables[step.Name]; !ok {
						msg = fmt.Sprintf("reference to an undeclared variable: var.%s (no variable %q block); its value is unknown", step.Name, step.Name)
					}
				case "local":
					if _, ok := m.locals[step.Name]; !ok {
						msg = fmt.Sprintf("reference to an undeclared local value: local.%s (no locals block sets it); its value is unknown", step.Name)
					}
				}
				r := tr.SourceRange()
				if key := fmt.Sprint(r.Filename, r.Start.Line, msg); msg != "" && !seen[key] {
					seen[key] = true
					at(r, "%s", msg)
				}
			}
		}
		if depth > 16 {
			return
		}
		for _, blk := range body.Blocks {
			_, count := blk.Body.Attributes["count"]
			_, forEach := blk.Body.Attributes["for_each"]
			if count && forEach && (blk.Type == "resource" || blk.Type == "data" || blk.Type == "module") {
				at(blk.TypeRange, "%s %s has both count and for_each (Terraform rejects the combination): read as one instance", blk.Type, labels(blk.Labels))
			}
			walk(blk.Body, depth+1)
		}
	}
	for _, body := range m.bodies {
		walk(body, 0)
	}
	sort.SliceStable(errs, func(i, j int) bool {
		if errs[i].Source != errs[j].Source {
			return errs[i].Source < errs[j].Source
		}
		return errs[i].Line < errs[j].Line
	})
	m.errors = append(m.errors, errs...)
}

// labels writes block labels as Terraform does: "azurerm_kubernetes_cluster" "aks".
func labels(ls []string) string {
	out := ""
	for i, l := range ls {
		if i > 0 {
			out += " "
		}
		out += fmt.Sprintf("%q", l)
	}
	return out
}
