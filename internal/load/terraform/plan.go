package terraform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/akscheck/akscheck/internal/subject"
)

// IsPlan reports whether a JSON document is terraform show -json output (a plan or a state).
func IsPlan(data []byte) bool {
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return false
	}
	_, fv := top["format_version"]
	_, tv := top["terraform_version"]
	_, pv := top["planned_values"]
	_, vv := top["values"]
	return fv && (tv || pv || vv)
}

// LoadPlan reads terraform show -json output: a plan (planned values, with the unknowns of
// its resource changes and the references of its configuration) or a state. Its values are
// resolved by Terraform itself, so they win over the module's .tf files (PreferPlans).
func LoadPlan(source string, data []byte) *subject.Scan {
	var plan tfjson.Plan
	var root *tfjson.StateModule
	unknown := map[string]any{}
	refs := map[string]map[string][]string{}
	if err := json.Unmarshal(data, &plan); err == nil && plan.PlannedValues != nil {
		root = plan.PlannedValues.RootModule
		for _, rc := range plan.ResourceChanges {
			if rc.Change != nil {
				unknown[rc.Address] = rc.Change.AfterUnknown
			}
		}
		if plan.Config != nil && plan.Config.RootModule != nil {
			collectRefs(plan.Config.RootModule, "", refs, 0)
		}
	} else {
		var state tfjson.State
		serr := json.Unmarshal(data, &state)
		if serr != nil || state.Values == nil {
			if err == nil {
				err = serr
			}
			if err == nil {
				err = fmt.Errorf("neither planned_values nor values")
			}
			return &subject.Scan{Errors: []subject.LoadError{{Source: source, Line: 1,
				Message: fmt.Sprintf("reading terraform show -json output: %v", err)}}}
		}
		root = state.Values.RootModule
	}
	lines := newLines(data)
	var resources []*tblock
	var walk func(m *tfjson.StateModule, depth int)
	walk = func(m *tfjson.StateModule, depth int) {
		if m == nil || depth > 16 {
			return
		}
		for _, r := range m.Resources {
			if r == nil || r.Mode != tfjson.ManagedResourceMode || !strings.HasPrefix(r.Type, "azurerm_") {
				continue
			}
			loc := subject.Location{File: source, Line: lines.of(r.Address)}
			b := fromPlanValues("resource", r.AttributeValues, unknown[r.Address], loc, 0)
			b.labels = []string{r.Type, r.Name}
			b.plan = true
			for attr, rs := range refs[strings.TrimPrefix(strings.TrimPrefix(r.Address, m.Address), ".")] {
				if a, ok := b.attrs[attr]; ok {
					a.refs = rs
				} else {
					b.attrs[attr] = &tval{state: subject.Unknown, loc: loc, refs: rs}
				}
				for _, blocks := range b.blocks {
					for _, nb := range blocks {
						if a, ok := nb.attrs[attr]; ok {
							a.refs = rs
						}
					}
				}
			}
			resources = append(resources, b)
		}
		for _, c := range m.ChildModules {
			walk(c, depth+1)
		}
	}
	walk(root, 0)
	scan := assemble(resources, subject.InputTerraform)
	scan.Inputs = append(scan.Inputs, subject.Input{Kind: subject.InputTerraform, Source: source, Objects: len(scan.Others)})
	return scan
}

// collectRefs records, per resource address, the references of each expression (and of
// the expressions of nested blocks, by attribute name).
func collectRefs(m *tfjson.ConfigModule, prefix string, out map[string]map[string][]string, depth int) {
	if m == nil || depth > 16 {
		return
	}
	for _, r := range m.Resources {
		if r == nil {
			continue
		}
		byAttr := map[string][]string{}
		var add func(exprs map[string]*tfjson.Expression, d int)
		add = func(exprs map[string]*tfjson.Expression, d int) {
			if d > 8 {
				return
			}
			for name, e := range exprs {
				if e == nil || e.ExpressionData == nil {
					continue
				}
				for _, ref := range e.References {
					parts := strings.Split(ref, ".")
					if len(parts) >= 2 && strings.HasPrefix(parts[0], "azurerm_") {
						byAttr[name] = append(byAttr[name], parts[0]+"."+parts[1])
					}
				}
				for _, nb := range e.NestedBlocks {
					add(nb, d+1)
				}
			}
		}
		add(r.Expressions, 0)
		out[prefix+r.Address] = byAttr
	}
}

type planLines struct{ data []byte }

func newLines(data []byte) planLines { return planLines{data: data} }

// of finds the line of a resource's "address" in the planned values (the first mention),
// so that findings point into the plan file.
func (p planLines) of(address string) int {
	re, err := regexp.Compile(`"address"\s*:\s*"` + regexp.QuoteMeta(address) + `"`)
	if err != nil {
		return 0
	}
	loc := re.FindIndex(p.data)
	if loc == nil {
		return 0
	}
	return bytes.Count(p.data[:loc[0]], []byte("\n")) + 1
}

// PreferPlans drops the clusters and registries read from .tf files when a plan or state
// of the same directory describes the same address: Terraform resolved the plan's values.
func PreferPlans(others []subject.Subject) []subject.Subject {
	fromPlan := map[string]bool{}
	key := func(id subject.Identity) string {
		return filepath.Dir(id.Source.File) + "\x00" + id.Name
	}
	for _, s := range others {
		id := s.Identity()
		if id.Input == subject.InputTerraform && strings.HasSuffix(strings.ToLower(id.Source.File), ".json") {
			fromPlan[key(id)] = true
		}
	}
	if len(fromPlan) == 0 {
		return others
	}
	out := others[:0:0]
	for _, s := range others {
		id := s.Identity()
		if id.Input == subject.InputTerraform && strings.HasSuffix(strings.ToLower(id.Source.File), ".tf") && fromPlan[key(id)] {
			continue
		}
		out = append(out, s)
	}
	return out
}
