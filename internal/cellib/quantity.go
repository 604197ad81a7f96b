// Package cellib holds what akscheck gives its CEL expressions (custom checks, the
// evaluation of ValidatingAdmissionPolicies) beyond cel-go and the Kubernetes libraries, and
// the bounds it puts on those libraries.
package cellib

import (
	"fmt"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"k8s.io/apimachinery/pkg/api/resource"
	apiservercel "k8s.io/apiserver/pkg/cel"
	"k8s.io/apiserver/pkg/cel/library"

	"github.com/akscheck/akscheck/internal/subject"
)

// Quantity is the Kubernetes quantity library (library.Quantity) with quantity() and
// isQuantity() bounded as the loaders bound a manifest's quantities
// (subject.CheckQuantityText): resource.ParseQuantity spends minutes on a short text like
// "1E-5555555555", and an expression may give it any string, an annotation's for one. Such a
// text is no quantity to isQuantity, and an error to quantity(); every other text gives what
// the library gives.
func Quantity() cel.EnvOption {
	return func(env *cel.Env) (*cel.Env, error) {
		env, err := library.Quantity()(env)
		if err != nil {
			return nil, err
		}
		// The same overloads, with the same signatures: cel-go lets an implementation be
		// declared again over the library's.
		return env.Extend(
			cel.Function("quantity", cel.Overload("string_to_quantity", []*cel.Type{cel.StringType},
				apiservercel.QuantityType, cel.UnaryBinding(stringToQuantity))),
			cel.Function("isQuantity", cel.Overload("is_quantity_string", []*cel.Type{cel.StringType},
				cel.BoolType, cel.UnaryBinding(isQuantity))),
		)
	}
}

func stringToQuantity(arg ref.Val) ref.Val {
	s, ok := arg.Value().(string)
	if !ok {
		return types.MaybeNoSuchOverloadErr(arg)
	}
	if err := subject.CheckQuantityText(s); err != nil {
		text := s
		if len(text) > 24 {
			text = text[:24] + "…"
		}
		return types.WrapErr(fmt.Errorf("quantity %q: %w", text, err))
	}
	q, err := resource.ParseQuantity(s)
	if err != nil {
		return types.WrapErr(err)
	}
	return apiservercel.Quantity{Quantity: &q}
}

func isQuantity(arg ref.Val) ref.Val {
	s, ok := arg.Value().(string)
	if !ok {
		return types.MaybeNoSuchOverloadErr(arg)
	}
	if subject.CheckQuantityText(s) != nil {
		return types.False
	}
	_, err := resource.ParseQuantity(s)
	return types.Bool(err == nil)
}
