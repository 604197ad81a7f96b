package admissionpolicy

import (
	"fmt"
	"slices"

	"github.com/google/cel-go/cel"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
)

// verdict is what a policy decides on one object.
type verdict struct {
	// matched is false when the policy leaves the object out (its kind, or a match condition).
	matched bool
	// admitted is true when the object passes the validation (or is not matched).
	admitted bool
	message  string
}

// evaluate judges an object (in its unstructured form) in namespace as kube-apiserver does
// for a create: the resource rules by kind, the match conditions unless skipConditions, the
// variables, the validation and its message expression.
func evaluate(env *cel.Env, p *admissionregistrationv1.ValidatingAdmissionPolicy, obj map[string]any, namespace string, skipConditions bool) (verdict, error) {
	kind, _ := obj["kind"].(string)
	r, ok := workloadResources[kind]
	if !ok || !slices.ContainsFunc(p.Spec.MatchConstraints.ResourceRules, func(rule admissionregistrationv1.NamedRuleWithOperations) bool {
		return slices.Contains(rule.APIGroups, r.group) && slices.Contains(rule.Resources, r.name)
	}) {
		return verdict{admitted: true}, nil
	}
	vars := map[string]any{}
	activation := map[string]any{
		"object":    obj,
		"request":   map[string]any{"namespace": namespace, "operation": "CREATE"},
		"variables": vars,
	}
	eval := func(expr string) (any, error) {
		prg, err := compile(env, expr, nil)
		if err != nil {
			return nil, err
		}
		out, _, err := prg.Eval(activation)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", expr, err)
		}
		return out.Value(), nil
	}
	if !skipConditions {
		for _, m := range p.Spec.MatchConditions {
			v, err := eval(m.Expression)
			if err != nil {
				return verdict{}, err
			}
			if v != true {
				return verdict{admitted: true}, nil
			}
		}
	}
	for _, v := range p.Spec.Variables {
		val, err := eval(v.Expression)
		if err != nil {
			return verdict{}, fmt.Errorf("variable %s: %w", v.Name, err)
		}
		vars[v.Name] = val
	}
	pass, err := eval(p.Spec.Validations[0].Expression)
	if err != nil {
		return verdict{}, err
	}
	if pass == true {
		return verdict{matched: true, admitted: true}, nil
	}
	msg, err := eval(p.Spec.Validations[0].MessageExpression)
	if err != nil {
		return verdict{}, err
	}
	s, _ := msg.(string)
	return verdict{matched: true, message: s}, nil
}
