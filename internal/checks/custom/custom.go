// Package custom builds checks from CEL expressions that platform teams write in
// .akscheck.yaml. The expression sees the object as `object`, the variable name Kubernetes
// ValidatingAdmissionPolicy uses, with the Kubernetes CEL libraries (lists, regex, URLs,
// quantities, IPs and CIDRs, formats, semver).
package custom

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/ext"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/cel/library"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// Spec is one custom check as written in the config.
type Spec struct {
	ID, Item, Title string
	Severity        check.Severity
	Kinds           []string
	// Expression is true when the object is compliant.
	Expression string
	// Message is a CEL expression of type string; empty gives a standard message.
	Message     string
	Remediation string
}

// costLimit bounds the work of one evaluation, so that a runaway expression cannot stall a scan.
const costLimit = 1_000_000

func newEnv() (*cel.Env, error) {
	return cel.NewEnv(
		cel.Variable("object", cel.DynType),
		ext.Strings(), ext.Sets(), ext.Encoders(),
		library.Lists(), library.Regex(), library.URLs(), library.Quantity(),
		library.IP(), library.CIDR(), library.Format(), library.SemverLib(),
	)
}

// CompileError is a CEL compile error of a custom check.
type CompileError struct {
	ID    string
	Field string // "expression" or "message"
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
	env, err := newEnv()
	if err != nil {
		return nil, fmt.Errorf("creating the CEL environment: %w", err)
	}
	var out []*check.Check
	for _, s := range specs {
		c, err := compileOne(env, s)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func compileOne(env *cel.Env, s Spec) (*check.Check, error) {
	prg, err := program(env, s.Expression, cel.BoolType)
	if err != nil {
		return nil, &CompileError{ID: s.ID, Field: "expression", Err: err}
	}
	var msg cel.Program
	if strings.TrimSpace(s.Message) != "" {
		if msg, err = program(env, s.Message, cel.StringType); err != nil {
			return nil, &CompileError{ID: s.ID, Field: "message", Err: err}
		}
	}
	title := s.Title
	if title == "" {
		title = "Custom check " + s.ID
	}
	remediation := s.Remediation
	if remediation == "" {
		remediation = "Change the object so that the expression `" + s.Expression + "` holds."
	}
	if !strings.HasSuffix(remediation, ".") {
		remediation += "."
	}
	meta := check.Meta{
		ID: s.ID, Item: s.Item, Title: title, Severity: s.Severity, Kinds: s.Kinds,
		Description: "A custom check from the configuration: objects must satisfy the CEL expression `" + s.Expression + "`.",
		Remediation: remediation,
		Evidence:    []catalog.Evidence{catalog.Manifest, catalog.Cluster},
	}
	return check.New(meta, func(_ context.Context, _ *check.Env, o *subject.Object, r *check.Result) {
		obj, err := asMap(o)
		if err != nil {
			r.Error(fmt.Errorf("reading %s: %w", o.Ref(), err))
			return
		}
		vars := map[string]any{"object": obj}
		out, _, err := prg.Eval(vars)
		if err != nil {
			r.Error(fmt.Errorf("evaluating on %s: %w", o.Ref(), err))
			return
		}
		if ok, isBool := out.Value().(bool); isBool && ok {
			return
		}
		text := fmt.Sprintf("%s %s does not satisfy custom check %s", o.Kind, o.Name(), s.ID)
		if msg != nil {
			if m, _, err := msg.Eval(vars); err == nil {
				if str, ok := m.Value().(string); ok && str != "" {
					text = str
				}
			}
		}
		r.Failf("", "", "%s", text)
	}), nil
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
		m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o.Typed)
		if err != nil {
			return nil, err
		}
		m["apiVersion"], m["kind"] = o.APIVersion, o.Kind
		return m, nil
	}
	var m map[string]any
	if err := json.Unmarshal(o.Raw, &m); err != nil {
		return nil, err
	}
	return m, nil
}
