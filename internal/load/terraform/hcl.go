// Package terraform loads Terraform: the .tf files of a directory as one module (with its
// .tfvars and --tf-var-file files), parsed with hashicorp/hcl/v2, and terraform show -json
// plan or state files, parsed with hashicorp/terraform-json. The azurerm resources of both
// map into the cluster model of package subject, with azurerm v3 and v4 attribute names.
//
// Expressions are evaluated with the module's variables (defaults, .tfvars), locals and a
// few pure functions; anything else (other resources' attributes, data sources, unset
// variables) is unknown, and unknown values never make a check fail.
package terraform

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"github.com/akscheck/akscheck/internal/subject"
)

// Options tune the loader.
type Options struct {
	// VarFiles are variable files (--tf-var-file) applied to every module, after the
	// module's own .tfvars.
	VarFiles []string
}

// File is one file of a module: a .tf file or a variables file.
type File struct {
	Path string
	Data []byte
}

// IsVarFile reports whether a file name is a Terraform variables file.
func IsVarFile(name string) bool {
	low := strings.ToLower(name)
	return strings.HasSuffix(low, ".tfvars") || strings.HasSuffix(low, ".tfvars.json")
}

// varFileOrder sorts variable files as Terraform applies them: terraform.tfvars,
// terraform.tfvars.json, then *.auto.tfvars alphabetically, then the others.
func varFileOrder(files []File) {
	rank := func(p string) int {
		b := strings.ToLower(filepath.Base(p))
		switch {
		case b == "terraform.tfvars":
			return 0
		case b == "terraform.tfvars.json":
			return 1
		case strings.Contains(b, ".auto.tfvars"):
			return 2
		}
		return 3
	}
	sort.SliceStable(files, func(i, j int) bool {
		ri, rj := rank(files[i].Path), rank(files[j].Path)
		if ri != rj {
			return ri < rj
		}
		return files[i].Path < files[j].Path
	})
}

func diagErrors(source string, diags hcl.Diagnostics) []subject.LoadError {
	var out []subject.LoadError
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		e := subject.LoadError{Source: source, Message: d.Summary}
		if d.Detail != "" {
			e.Message += ": " + d.Detail
		}
		if d.Subject != nil {
			e.Line = d.Subject.Start.Line
			if d.Subject.Filename != "" {
				e.Source = d.Subject.Filename
			}
		}
		out = append(out, e)
	}
	return out
}

// functions are the pure functions expressions may call.
func (m *module) functions() map[string]function.Function {
	fs := map[string]function.Function{
		"lower": stdlib.LowerFunc, "upper": stdlib.UpperFunc, "concat": stdlib.ConcatFunc,
		"merge": stdlib.MergeFunc, "format": stdlib.FormatFunc, "join": stdlib.JoinFunc,
		"coalesce": stdlib.CoalesceFunc, "contains": stdlib.ContainsFunc, "length": stdlib.LengthFunc,
		"lookup": stdlib.LookupFunc, "replace": stdlib.ReplaceFunc, "split": stdlib.SplitFunc,
		"trimspace": stdlib.TrimSpaceFunc, "flatten": stdlib.FlattenFunc, "keys": stdlib.KeysFunc,
		"values": stdlib.ValuesFunc, "distinct": stdlib.DistinctFunc, "compact": stdlib.CompactFunc,
		"tostring": stdlib.MakeToFunc(cty.String), "tobool": stdlib.MakeToFunc(cty.Bool),
		"tonumber": stdlib.MakeToFunc(cty.Number), "tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"toset": stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)), "tomap": stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		// Policy assignments write their parameters as jsonencode({...}): an object with an
		// unknown part encodes to an unknown string.
		"jsonencode": stdlib.JSONEncodeFunc,
	}
	for name, f := range fs {
		fs[name] = m.capped(name, f)
	}
	return fs
}

// module is one directory's parsed files.
type module struct {
	bodies    []*hclsyntax.Body
	files     []string
	variables map[string]cty.Value
	locals    map[string]hcl.Expression
	errors    []subject.LoadError
	// built counts what the function calls of the expression being evaluated build.
	built int
}

// LoadModule reads the .tf files of one directory as one module, with its variables files
// (files) and the extra ones of opts.
func LoadModule(files []File, opts Options) *subject.Scan {
	m := &module{variables: map[string]cty.Value{}, locals: map[string]hcl.Expression{}}
	parser := hclparse.NewParser()
	var varFiles []File
	parseFailed := false
	for _, f := range files {
		if IsVarFile(f.Path) {
			varFiles = append(varFiles, f)
			continue
		}
		file, diags := parser.ParseHCL(f.Data, f.Path)
		if errs := diagErrors(f.Path, diags); len(errs) > 0 {
			m.errors = append(m.errors, errs...)
			parseFailed = true
			continue
		}
		body, ok := file.Body.(*hclsyntax.Body)
		if !ok {
			continue
		}
		m.bodies = append(m.bodies, body)
		m.files = append(m.files, f.Path)
	}
	varFileOrder(varFiles)
	for _, p := range opts.VarFiles {
		data, err := readFile(p)
		if err != nil {
			m.errors = append(m.errors, subject.LoadError{Source: p, Message: err.Error()})
			continue
		}
		varFiles = append(varFiles, File{Path: p, Data: data})
	}
	m.declareVariables()
	// A file that does not parse may hold declarations: report no undeclared names then.
	m.checkModule(!parseFailed)
	given := map[string]cty.Value{}
	for _, vf := range varFiles {
		var file *hcl.File
		var diags hcl.Diagnostics
		if strings.HasSuffix(strings.ToLower(vf.Path), ".json") {
			file, diags = parser.ParseJSON(vf.Data, vf.Path)
		} else {
			file, diags = parser.ParseHCL(vf.Data, vf.Path)
		}
		if errs := diagErrors(vf.Path, diags); len(errs) > 0 {
			m.errors = append(m.errors, errs...)
			continue
		}
		attrs, diags := file.Body.JustAttributes()
		m.errors = append(m.errors, diagErrors(vf.Path, diags)...)
		for name, a := range attrs {
			v, d := a.Expr.Value(nil)
			if d.HasErrors() {
				v = cty.DynamicVal
			}
			given[name] = v
		}
	}
	for k, v := range given {
		if _, declared := m.variables[k]; declared {
			m.variables[k] = v
		}
	}
	ctx := m.evalContext()
	var resources []*tblock
	for i, body := range m.bodies {
		for _, blk := range body.Blocks {
			if blk.Type != "resource" || len(blk.Labels) != 2 {
				continue
			}
			if !strings.HasPrefix(blk.Labels[0], "azurerm_") {
				continue
			}
			if c, ok := blk.Body.Attributes["count"]; ok {
				if v, d := m.eval(c.Expr, ctx); !d.HasErrors() && v.IsKnown() && !v.IsNull() && v.Type() == cty.Number && v.AsBigFloat().Sign() == 0 {
					continue
				}
			}
			b := m.convertBody(blk.Body, ctx, m.files[i], 0)
			b.typ = "resource"
			b.labels = blk.Labels
			b.loc = subject.Location{File: m.files[i], Line: blk.TypeRange.Start.Line}
			resources = append(resources, b)
		}
	}
	if m.requiresV3() {
		for _, r := range resources {
			r.v3 = true
		}
	}
	scan := assemble(resources, subject.InputTerraform)
	scan.Errors = append(m.errors, scan.Errors...)
	counts := map[string]int{}
	for _, s := range scan.Others {
		counts[s.Identity().Source.File]++
	}
	scan.Inputs = nil
	for _, f := range m.files {
		scan.Inputs = append(scan.Inputs, subject.Input{Kind: subject.InputTerraform, Source: f, Objects: counts[f]})
	}
	return scan
}

// v3Constraint matches a version constraint of azurerm v3 ("~> 3.117", ">= 3.0, < 4.0").
var v3Constraint = regexp.MustCompile(`^\s*(~>|=|>=)?\s*3(\.|\s*$|\s*,)`)

// requiresV3 reports whether the module requires azurerm v3 (terraform { required_providers
// { azurerm = { version = "~> 3.x" } } }).
func (m *module) requiresV3() bool {
	for _, body := range m.bodies {
		for _, blk := range body.Blocks {
			if blk.Type != "terraform" {
				continue
			}
			for _, rp := range blk.Body.Blocks {
				if rp.Type != "required_providers" {
					continue
				}
				a, ok := rp.Body.Attributes["azurerm"]
				if !ok {
					continue
				}
				v, d := a.Expr.Value(nil)
				if d.HasErrors() || !v.IsKnown() || v.IsNull() || !v.Type().IsObjectType() || !v.Type().HasAttribute("version") {
					continue
				}
				if ver := v.GetAttr("version"); ver.IsKnown() && !ver.IsNull() && ver.Type() == cty.String && v3Constraint.MatchString(ver.AsString()) {
					return true
				}
			}
		}
	}
	return false
}

// declareVariables records every variable with its default (unknown without one), and the
// locals' expressions.
func (m *module) declareVariables() {
	for _, body := range m.bodies {
		for _, blk := range body.Blocks {
			switch {
			case blk.Type == "variable" && len(blk.Labels) == 1:
				v := cty.DynamicVal
				if d, ok := blk.Body.Attributes["default"]; ok {
					if dv, diags := d.Expr.Value(nil); !diags.HasErrors() {
						v = dv
					}
				}
				m.variables[blk.Labels[0]] = v
			case blk.Type == "locals":
				for name, a := range blk.Body.Attributes {
					m.locals[name] = a.Expr
				}
			}
		}
	}
}

// evalContext builds the context of the module's expressions: var, local (resolved in a
// few passes, as they may refer to each other), and unknown stand-ins for every other
// root name.
func (m *module) evalContext() *hcl.EvalContext {
	unknownRoots := map[string]cty.Value{}
	for _, root := range []string{"data", "module", "each", "count", "path", "terraform", "self"} {
		unknownRoots[root] = cty.DynamicVal
	}
	for _, body := range m.bodies {
		for _, blk := range body.Blocks {
			if blk.Type == "resource" && len(blk.Labels) == 2 {
				unknownRoots[blk.Labels[0]] = cty.DynamicVal
			}
		}
	}
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: m.functions()}
	for k, v := range unknownRoots {
		ctx.Variables[k] = v
	}
	ctx.Variables["var"] = objectOf(m.variables)
	locals := map[string]cty.Value{}
	for k := range m.locals {
		locals[k] = cty.DynamicVal
	}
	tooLargeLocal := map[string]bool{}
	for pass := 0; pass < 4; pass++ {
		ctx.Variables["local"] = objectOf(locals)
		changed := false
		for k, e := range m.locals {
			v, d := m.eval(e, ctx)
			if tooLarge(d) != nil && !tooLargeLocal[k] {
				tooLargeLocal[k] = true
				m.errors = append(m.errors, subject.LoadError{Source: e.Range().Filename, Line: e.Range().Start.Line, Message: "local." + k + ": " + errTooLarge.Error() + "; it is unknown"})
			}
			if d.HasErrors() {
				v = cty.DynamicVal
			}
			if !v.RawEquals(locals[k]) {
				locals[k] = v
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	ctx.Variables["local"] = objectOf(locals)
	m.declareResources(ctx)
	return ctx
}

// declareResources lets expressions read the arguments other resources write
// (azurerm_resource_group.main.location): each resource without count or for_each becomes
// an object of the top-level arguments whose values are known scalars, or lists and maps of
// them, resolved in a few passes as resources refer to each other. An argument not written
// (an ID, anything computed) stays missing, and an expression that reads it unknown, as
// before; so does every argument of a resource with count or for_each.
func (m *module) declareResources(ctx *hcl.EvalContext) {
	type ref struct{ typ, name string }
	blocks := map[ref]*hclsyntax.Body{}
	byType := map[string]map[string]cty.Value{}
	for _, body := range m.bodies {
		for _, blk := range body.Blocks {
			if blk.Type != "resource" || len(blk.Labels) != 2 {
				continue
			}
			typ, name := blk.Labels[0], blk.Labels[1]
			if byType[typ] == nil {
				byType[typ] = map[string]cty.Value{}
			}
			byType[typ][name] = cty.DynamicVal
			_, counted := blk.Body.Attributes["count"]
			_, each := blk.Body.Attributes["for_each"]
			if !counted && !each {
				blocks[ref{typ, name}] = blk.Body
			}
		}
	}
	if len(blocks) == 0 {
		return
	}
	for pass := 0; pass < 3; pass++ {
		for typ, names := range byType {
			ctx.Variables[typ] = cty.ObjectVal(names)
		}
		changed := false
		for r, body := range blocks {
			attrs := map[string]cty.Value{}
			for name, a := range body.Attributes {
				if v, d := m.eval(a.Expr, ctx); !d.HasErrors() && v.IsWhollyKnown() && !v.IsNull() && flat(v.Type()) {
					attrs[name] = v
				}
			}
			v := objectOf(attrs)
			if !v.RawEquals(byType[r.typ][r.name]) {
				byType[r.typ][r.name] = v
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	for typ, names := range byType {
		ctx.Variables[typ] = cty.ObjectVal(names)
	}
}

// flat reports whether a type is a scalar, or a list, set, map or tuple of scalars: what a
// resource argument holds, never another resource's object.
func flat(t cty.Type) bool {
	switch {
	case t.IsPrimitiveType():
		return true
	case t.IsListType() || t.IsSetType() || t.IsMapType():
		return t.ElementType().IsPrimitiveType()
	case t.IsTupleType():
		for _, et := range t.TupleElementTypes() {
			if !et.IsPrimitiveType() {
				return false
			}
		}
		return true
	}
	return false
}

func objectOf(m map[string]cty.Value) cty.Value {
	if len(m) == 0 {
		return cty.EmptyObjectVal
	}
	return cty.ObjectVal(m)
}

// convertBody evaluates a block's attributes and nested blocks.
// A value past maxValue is an error entry.
func (m *module) convertBody(body *hclsyntax.Body, ctx *hcl.EvalContext, file string, depth int) *tblock {
	b := newBlock("", subject.Location{File: file, Line: body.SrcRange.Start.Line})
	for name, a := range body.Attributes {
		loc := subject.Location{File: file, Line: a.SrcRange.Start.Line}
		tv := &tval{loc: loc, refs: references(a.Expr)}
		v, diags := m.eval(a.Expr, ctx)
		switch {
		case diags.HasErrors():
			if tooLarge(diags) != nil {
				m.errors = append(m.errors, subject.LoadError{Source: file, Line: loc.Line, Message: name + ": " + errTooLarge.Error() + "; it is unknown"})
			}
			tv.state = subject.Unknown
		default:
			x, known := fromCty(v, 0)
			switch {
			case !known:
				tv.state = subject.Unknown
			case x == nil:
				tv.state = subject.Absent
			default:
				tv.state, tv.v = subject.Known, x
			}
		}
		b.attrs[name] = tv
	}
	if depth > 16 {
		return b
	}
	for _, blk := range body.Blocks {
		if blk.Type == "dynamic" {
			if len(blk.Labels) == 1 {
				b.dynamic[blk.Labels[0]] = true
			}
			continue
		}
		child := m.convertBody(blk.Body, ctx, file, depth+1)
		child.typ = blk.Type
		child.labels = blk.Labels
		child.loc = subject.Location{File: file, Line: blk.TypeRange.Start.Line}
		b.blocks[blk.Type] = append(b.blocks[blk.Type], child)
	}
	return b
}

// references lists the azurerm resources an expression refers to, as addresses.
func references(e hcl.Expression) []string {
	var out []string
	for _, tr := range e.Variables() {
		root := tr.RootName()
		if !strings.HasPrefix(root, "azurerm_") || len(tr) < 2 {
			continue
		}
		if step, ok := tr[1].(hcl.TraverseAttr); ok {
			out = append(out, root+"."+step.Name)
		}
	}
	return out
}

func readFile(p string) ([]byte, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("reading Terraform variables: %w", err)
	}
	return data, nil
}
