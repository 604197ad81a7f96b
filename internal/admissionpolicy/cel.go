package admissionpolicy

import (
	"fmt"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/ext"
	"k8s.io/apiserver/pkg/cel/library"
)

// newEnv returns the CEL environment of a ValidatingAdmissionPolicy's expressions as
// kube-apiserver 1.30 and later compile them (k8s.io/apiserver/pkg/cel/environment, whose
// feature gates this module does not import): the same options and libraries, with object,
// request and namespaceObject untyped and variables a map of untyped values.
func newEnv() (*cel.Env, error) {
	env, err := cel.NewEnv(
		cel.Variable("object", cel.DynType),
		cel.Variable("oldObject", cel.DynType),
		cel.Variable("request", cel.DynType),
		cel.Variable("namespaceObject", cel.DynType),
		cel.Variable("variables", cel.MapType(cel.StringType, cel.DynType)),
		cel.HomogeneousAggregateLiterals(),
		cel.EagerlyValidateDeclarations(true),
		cel.DefaultUTCTimeZone(true),
		cel.CrossTypeNumericComparisons(true),
		cel.OptionalTypes(),
		cel.ASTValidators(cel.ValidateRegexLiterals(), cel.ValidateHomogeneousAggregateLiterals()),
		ext.Strings(ext.StringsVersion(2)), ext.Sets(),
		library.URLs(), library.Regex(), library.Lists(), library.Quantity(),
	)
	if err != nil {
		return nil, fmt.Errorf("creating the CEL environment: %w", err)
	}
	return env, nil
}

// compile compiles expr, which must be of type want (nil: any type), into a program.
func compile(env *cel.Env, expr string, want *cel.Type) (cel.Program, error) {
	ast, iss := env.Compile(expr)
	if iss.Err() != nil {
		return nil, iss.Err()
	}
	if want != nil && !ast.OutputType().IsExactType(want) && !ast.OutputType().IsExactType(cel.DynType) {
		return nil, fmt.Errorf("has type %s, want %s", ast.OutputType(), want)
	}
	prg, err := env.Program(ast)
	if err != nil {
		return nil, fmt.Errorf("building the program: %w", err)
	}
	return prg, nil
}
