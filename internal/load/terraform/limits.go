package terraform

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// maxValue bounds the size of a value an expression builds: bytes of a string, elements of
// a collection (counted through nested ones). A 300-byte file of nested replace() calls,
// or locals that each repeat the one before, would otherwise build gigabytes.
const maxValue = 1 << 20

// errTooLarge is the error of a function call whose result would pass maxValue.
var errTooLarge = fmt.Errorf("the value would be larger than %d bytes or elements", maxValue)

// valueSize measures a value, stopping past maxValue.
func valueSize(v cty.Value) int {
	const limit = maxValue
	n := 0
	var walk func(v cty.Value)
	walk = func(v cty.Value) {
		if n > limit || !v.IsKnown() || v.IsNull() {
			return
		}
		v, _ = v.Unmark()
		switch {
		case v.Type() == cty.String:
			n += len(v.AsString())
		case v.CanIterateElements():
			for it := v.ElementIterator(); it.Next() && n <= limit; {
				n++
				_, e := it.Element()
				walk(e)
			}
		default:
			n++
		}
	}
	walk(v)
	return n
}

// capped wraps a function so that what the calls of one expression build stays within
// maxValue in all (m.built, reset by eval): replace and format can multiply their input,
// so their result's size is bounded before they run, and the results of the others are
// counted.
func (m *module) capped(name string, f function.Function) function.Function {
	return function.New(&function.Spec{
		Description: f.Description(),
		Params:      f.Params(),
		VarParam:    f.VarParam(),
		Type:        f.ReturnTypeForValues,
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if m.built+bound(name, args) > maxValue {
				return cty.NilVal, errTooLarge
			}
			v, err := f.Call(args)
			if err == nil {
				m.built += valueSize(v)
				if m.built > maxValue {
					return cty.NilVal, errTooLarge
				}
			}
			return v, err
		},
	})
}

// bound is an upper bound of the size of what replace or format return (0 for the others,
// whose results are at most their inputs).
func bound(name string, args []cty.Value) int {
	str := func(i int) (string, bool) {
		if i >= len(args) || !args[i].IsKnown() || args[i].IsNull() {
			return "", false
		}
		v, _ := args[i].Unmark()
		if v.Type() != cty.String {
			return "", false
		}
		return v.AsString(), true
	}
	switch name {
	case "replace":
		s, ok1 := str(0)
		sub, ok2 := str(1)
		repl, ok3 := str(2)
		if !ok1 || !ok2 || !ok3 {
			return 0
		}
		if sub == "" {
			return len(s) + (len(s)+1)*len(repl)
		}
		return len(s) + strings.Count(s, sub)*len(repl)
	case "format":
		f, ok := str(0)
		if !ok {
			return 0
		}
		total := 0
		for _, a := range args[1:] {
			total += valueSize(a) + 32
		}
		return len(f) + strings.Count(f, "%")*total
	}
	return 0
}

// tooLarge returns the diagnostic of an evaluation that failed on maxValue, or nil. HCL
// keeps a function's error as text only.
func tooLarge(diags hcl.Diagnostics) *hcl.Diagnostic {
	for _, d := range diags {
		if d.Severity == hcl.DiagError && strings.Contains(d.Detail, errTooLarge.Error()) {
			return d
		}
	}
	return nil
}

// eval evaluates one expression within maxValue: the values of the variables and locals it
// refers to (each reference counts, "${local.a}${local.a}" twice) and what its function
// calls build must stay within it, and so must the result.
func (m *module) eval(e hcl.Expression, ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	refs := 0
	for _, tr := range e.Variables() {
		if v, err := tr.TraverseAbs(ctx); err == nil {
			refs += valueSize(v)
		}
		if refs > maxValue {
			return cty.DynamicVal, tooLargeDiags(e)
		}
	}
	m.built = 0
	v, diags := e.Value(ctx)
	if !diags.HasErrors() && valueSize(v) > maxValue {
		return cty.DynamicVal, tooLargeDiags(e)
	}
	return v, diags
}

func tooLargeDiags(e hcl.Expression) hcl.Diagnostics {
	r := e.Range()
	return hcl.Diagnostics{{Severity: hcl.DiagError, Detail: errTooLarge.Error(), Subject: &r}}
}
