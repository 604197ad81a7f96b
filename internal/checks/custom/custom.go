// Package custom builds checks from CEL expressions that platform teams write in
// .akscheck.yaml. An object check sees the object as `object`, the variable name Kubernetes
// ValidatingAdmissionPolicy uses; a check of AKS clusters sees `cluster`, one of node pools
// `pool` and `cluster`, one of registries `registry`, built from the subject model (model.go).
// The Kubernetes CEL libraries (lists, regex, URLs, quantities, IPs and CIDRs, formats,
// semver) and cel-go's strings, sets, encoders and optional types are available.
package custom

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/ext"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/cel/library"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/cellib"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// Targets of custom checks: what their expression judges.
const (
	// TargetObject is the default: Kubernetes objects (of Kinds), as `object`.
	TargetObject = ""
	// TargetCluster is AKS clusters, as `cluster`.
	TargetCluster = "cluster"
	// TargetNodePool is each node pool of AKS clusters, as `pool`, with its cluster as `cluster`.
	TargetNodePool = "nodePool"
	// TargetRegistry is container registries, as `registry`.
	TargetRegistry = "registry"
)

// Targets are the values of a custom check's target besides the default (objects).
var Targets = []string{TargetCluster, TargetNodePool, TargetRegistry}

// Spec is one custom check as written in the config.
type Spec struct {
	ID, Item, Title string
	Severity        check.Severity
	// Target is what the check judges (TargetCluster...); TargetObject for Kubernetes objects.
	Target string
	// Kinds are the object kinds of an object check (all when empty).
	Kinds []string
	// Expression is true when the subject is compliant.
	Expression string
	// Message is a CEL expression of type string; empty gives a standard message.
	Message     string
	Remediation string
	// Source and Line are where the check is written, for notices about it.
	Source string
	Line   int
}

// costLimit bounds the work of one evaluation, so that a runaway expression cannot stall a scan.
const costLimit = 1_000_000

// variables are the CEL variables of each target.
var variables = map[string][]string{
	TargetObject:   {"object"},
	TargetCluster:  {"cluster"},
	TargetNodePool: {"pool", "cluster"},
	TargetRegistry: {"registry"},
}

func newEnv(target string) (*cel.Env, error) {
	names, ok := variables[target]
	if !ok {
		return nil, fmt.Errorf("target %q is none of %s", target, strings.Join(Targets, ", "))
	}
	opts := []cel.EnvOption{
		ext.Strings(), ext.Sets(), ext.Encoders(), cel.OptionalTypes(),
		library.Lists(), library.Regex(), library.URLs(), cellib.Quantity(),
		library.IP(), library.CIDR(), library.Format(), library.SemverLib(),
	}
	for _, n := range names {
		opts = append(opts, cel.Variable(n, cel.DynType))
	}
	return cel.NewEnv(opts...)
}

// CompileError is a CEL compile error of a custom check.
type CompileError struct {
	ID    string
	Field string // "expression", "message" or "target"
	Err   error
}

func (e *CompileError) Error() string {
	return fmt.Sprintf("custom check %s: %s: %v", e.ID, e.Field, e.Err)
}

// Compile builds the checks. Every expression is compiled before any scanning starts; the
// first error is returned with the check ID and the position in the expression.
func Compile(specs []Spec) ([]*check.Check, error) {
	if len(specs) == 0 {
		return nil, nil
	}
	envs := map[string]*cel.Env{}
	var out []*check.Check
	for _, s := range specs {
		env, ok := envs[s.Target]
		if !ok {
			var err error
			if env, err = newEnv(s.Target); err != nil {
				return nil, &CompileError{ID: s.ID, Field: "target", Err: err}
			}
			envs[s.Target] = env
		}
		c, err := compileOne(env, s)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// programs are a check's compiled expression and message.
type programs struct {
	spec Spec
	expr cel.Program
	msg  cel.Program
}

func compileOne(env *cel.Env, s Spec) (*check.Check, error) {
	prg, err := program(env, s.Expression, cel.BoolType)
	if err != nil {
		return nil, &CompileError{ID: s.ID, Field: "expression", Err: err}
	}
	p := &programs{spec: s, expr: prg}
	if strings.TrimSpace(s.Message) != "" {
		if p.msg, err = program(env, s.Message, cel.StringType); err != nil {
			return nil, &CompileError{ID: s.ID, Field: "message", Err: err}
		}
	}
	noun := targetNouns[s.Target]
	title := s.Title
	if title == "" {
		title = "Custom check " + s.ID
	}
	remediation := s.Remediation
	if remediation == "" {
		remediation = "Change the " + noun.one + " so that the expression `" + s.Expression + "` holds."
	}
	if !strings.HasSuffix(remediation, ".") {
		remediation += "."
	}
	meta := check.Meta{
		ID: s.ID, Item: s.Item, Title: title, Severity: s.Severity, Kinds: s.Kinds,
		Description: "A custom check from the configuration: " + noun.many + " must satisfy the CEL expression `" + s.Expression + "`.",
		Remediation: remediation,
		Evidence:    noun.evidence,
		Declared:    &check.Declared{Source: s.Source, Line: s.Line, Unmatched: unmatched(s)},
	}
	switch s.Target {
	case TargetCluster:
		return check.New(meta, p.cluster), nil
	case TargetNodePool:
		return check.New(meta, p.pools), nil
	case TargetRegistry:
		return check.New(meta, p.registry), nil
	}
	return check.New(meta, p.object), nil
}

// targetNouns name each target's subjects and the inputs that describe them.
var targetNouns = map[string]struct {
	one, many string
	evidence  []catalog.Evidence
}{
	TargetObject: {"object", "objects", []catalog.Evidence{catalog.Manifest, catalog.Cluster}},
	// A running cluster known through the Kubernetes API alone is a cluster whose Azure
	// settings are unknown: the checks are undecided on it rather than not run.
	TargetCluster:  {"cluster", "AKS clusters", []catalog.Evidence{catalog.ARM, catalog.Terraform, catalog.Cluster}},
	TargetNodePool: {"node pool", "the node pools of AKS clusters", []catalog.Evidence{catalog.ARM, catalog.Terraform, catalog.Cluster}},
	TargetRegistry: {"registry", "container registries", []catalog.Evidence{catalog.ACR}},
}

// Evidence returns the input kinds that can feed the checks of a target.
func Evidence(target string) []catalog.Evidence {
	return slices.Clone(targetNouns[target].evidence)
}

// unmatched is the notice of a check that nothing of the scan matches.
func unmatched(s Spec) string {
	switch s.Target {
	case TargetCluster, TargetNodePool:
		return fmt.Sprintf("custom check %s targets %s, and the scan holds no AKS cluster: it judged nothing "+
			"(give az aks show output, an ARM template, Bicep or Terraform, or scan with --azure)", s.ID, targetNouns[s.Target].many)
	case TargetRegistry:
		return fmt.Sprintf("custom check %s targets container registries, and the scan holds none: it judged nothing "+
			"(give az acr show output, an ARM template, Bicep or Terraform, or scan with --azure)", s.ID)
	}
	if len(s.Kinds) == 0 {
		return fmt.Sprintf("custom check %s targets Kubernetes objects, and the scan holds none: it judged nothing", s.ID)
	}
	return fmt.Sprintf("custom check %s targets kinds %s, and no object of the scan is of them: it judged nothing (check the kinds' spelling)",
		s.ID, strings.Join(s.Kinds, ", "))
}

func (p *programs) object(_ context.Context, _ *check.Env, o *subject.Object, r *check.Result) {
	obj, err := asMap(o)
	if err != nil {
		r.Error(fmt.Errorf("reading %s: %w", o.Ref(), err))
		return
	}
	p.judge(r, map[string]any{"object": obj}, nil, o.Kind+" "+o.Name(), subject.Location{}, o.Ref())
}

func (p *programs) cluster(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	u := &unknowns{}
	vars := map[string]any{"cluster": u.clusterValue(c)}
	p.judge(r, vars, u, "cluster "+c.Name, c.Source, "cluster "+c.Name)
}

func (p *programs) pools(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	if len(c.Pools) == 0 {
		r.NotApplicable()
		return
	}
	u := &unknowns{}
	cl := u.clusterValue(c)
	for _, pool := range c.Pools {
		// The pool's own value, whose unknown settings an undecided verdict names pool.<field>.
		pv := u.poolValue(c, pool, "pool")
		loc := pool.Source
		if loc.File == "" && !loc.OnObject() {
			loc = c.Source
		}
		name := "node pool " + poolName(pool) + " of cluster " + c.Name
		p.judge(r, map[string]any{"pool": pv, "cluster": cl}, u, name, loc, name)
	}
}

func (p *programs) registry(_ context.Context, _ *check.Env, reg *subject.Registry, r *check.Result) {
	u := &unknowns{}
	p.judge(r, map[string]any{"registry": u.registryValue(reg)}, u, "registry "+reg.Name, reg.Source, "registry "+reg.Name)
}

// judge evaluates the expression on one subject: true passes, false fails with the
// message, unknown (it read a setting whose value is unresolved) is undecided naming the
// settings, and an error is the check's error on the subject.
func (p *programs) judge(r *check.Result, vars map[string]any, u *unknowns, name string, loc subject.Location, ref string) {
	out, _, err := p.expr.Eval(vars)
	if err != nil {
		r.Error(fmt.Errorf("evaluating on %s: %w", ref, err))
		return
	}
	if unk, ok := out.(*types.Unknown); ok {
		for _, m := range u.missing(unk) {
			r.Undecided(m)
		}
		return
	}
	if ok, isBool := out.Value().(bool); isBool && ok {
		return
	}
	text := fmt.Sprintf("%s does not satisfy custom check %s", name, p.spec.ID)
	if p.msg != nil {
		if m, _, err := p.msg.Eval(vars); err == nil {
			if str, ok := m.Value().(string); ok && str != "" {
				text = str
			}
		}
	}
	if loc.File == "" && !loc.OnObject() {
		r.Failf("", "", "%s", text)
		return
	}
	r.FailLoc(loc, "", "%s", text)
}

// missing says which unresolved settings left an evaluation unknown, one entry each.
func (u *unknowns) missing(unk *types.Unknown) []string {
	var out []string
	seen := map[string]bool{}
	for _, id := range unk.IDs() {
		if u == nil {
			break
		}
		f, ok := u.fields[id]
		if !ok {
			continue
		}
		m := f.path + " of " + f.owner + " (" + unresolved(f) + ")"
		if !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		out = append(out, "a setting whose value is unresolved ("+unk.String()+")")
	}
	return out
}

// unresolved says where an unknown setting is written and which input would carry its value.
func unresolved(f unknownField) string {
	var at string
	switch loc := f.attr.Loc; {
	case loc.OnObject():
		at = loc.Path + " of " + loc.Kind + " " + loc.Name + ": "
	case loc.File != "" && loc.Line > 0:
		at = fmt.Sprintf("%s at %s:%d: ", loc.Path, loc.File, loc.Line)
	case loc.File != "":
		at = loc.Path + " in " + loc.File + ": "
	case loc.Path != "":
		at = loc.Path + ": "
	}
	show := "az aks show output"
	if strings.HasPrefix(f.path, "registry") {
		show = "az acr show output"
	}
	switch f.input {
	case subject.InputTerraform:
		return at + "not resolved (a variable without a value, another resource's attribute, or a value known only after apply); " +
			"give its value (.tfvars), a plan or state (terraform show -json), or the deployed resource's " + show
	case subject.InputCluster:
		return at + "the Kubernetes API does not show it; give the cluster's " + show + ", or scan with --azure"
	}
	return at + "not resolved (a template expression, or a resource known only by its parts); give the deployed resource's " + show
}

func program(env *cel.Env, expr string, want *cel.Type) (cel.Program, error) {
	ast, iss := env.Compile(expr)
	if iss.Err() != nil {
		return nil, iss.Err()
	}
	if t := ast.OutputType(); t != cel.DynType && !t.IsExactType(want) {
		return nil, fmt.Errorf("the expression is of type %s, want %s", t, want)
	}
	return env.Program(ast, cel.CostLimit(costLimit))
}

// asMap returns the object as CEL sees it: its JSON form.
func asMap(o *subject.Object) (map[string]any, error) {
	if o.Typed != nil {
		m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o.Body())
		if err != nil {
			return nil, err
		}
		m["apiVersion"], m["kind"] = o.APIVersion, o.Kind
		return m, nil
	}
	var m map[string]any
	if err := json.Unmarshal(o.Raw(), &m); err != nil {
		return nil, err
	}
	return m, nil
}
