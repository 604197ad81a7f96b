// Package admissionpolicy writes the checks that can be judged on one object as Kubernetes
// ValidatingAdmissionPolicies (CEL), with their bindings: clusters that prefer in-process
// admission enforce the same rules as the akscheck webhook without running it. Which checks
// run, their severities, the deny/warn/off actions, excluded namespaces and exemptions come
// from the same config as the webhook's.
package admissionpolicy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/cel-go/cel"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/enforce"
	"github.com/akscheck/akscheck/internal/engine"
)

// Labels of the generated objects: every one is managed by akscheck, and names its check.
const (
	ManagedByLabel = "app.kubernetes.io/managed-by"
	ManagedBy      = "akscheck"
	CheckLabel     = "akscheck.io/check"
	ItemLabel      = "akscheck.io/item"
)

// Options are what the policies are generated from.
type Options struct {
	// Checks are the checks of the config; those without an admission form are left out.
	Checks []*check.Check
	// Policy says which checks run, their severities and the config's exemptions; nil means
	// the defaults.
	Policy *engine.Policy
	// Admission says what admission does with each check's findings; nil means
	// enforce.Default().
	Admission *enforce.Policy
	// Settings are the checks' settings; their values are written into the policies.
	Settings check.Settings
	// Now leaves out the exemptions that have expired.
	Now time.Time
}

// Set is the generated policies and bindings, one of each per check, in check ID order.
type Set struct {
	Policies []admissionregistrationv1.ValidatingAdmissionPolicy
	Bindings []admissionregistrationv1.ValidatingAdmissionPolicyBinding
	// Notes say what the policies cannot do as a scan does (an exemption left out).
	Notes []string
}

// PolicyName is the name of the policy (and binding) of a check.
func PolicyName(checkID string) string { return "akscheck-" + checkID }

// Covered returns the checks that have an admission form, in their order.
func Covered(checks []*check.Check) []*check.Check {
	var out []*check.Check
	for _, c := range checks {
		if c.Admission != nil {
			out = append(out, c)
		}
	}
	return out
}

// Generate builds the policies. Every CEL expression is compiled first: one that does not
// compile is a bug of its check, and an error here.
func Generate(opts Options) (*Set, error) {
	env, err := newEnv()
	if err != nil {
		return nil, err
	}
	checks := Covered(opts.Checks)
	slices.SortFunc(checks, func(a, b *check.Check) int { return strings.Compare(a.ID, b.ID) })
	set := &Set{}
	for _, c := range checks {
		if !opts.Policy.Runs(c) {
			continue
		}
		action := opts.Admission.For(c.ID, c.Item, opts.Policy.SeverityOf(c))
		if action == enforce.Off {
			continue
		}
		p, notes, err := policyOf(c, opts)
		if err != nil {
			return nil, err
		}
		if err := validate(env, p); err != nil {
			return nil, fmt.Errorf("check %s: %w", c.ID, err)
		}
		set.Policies = append(set.Policies, *p)
		set.Bindings = append(set.Bindings, bindingOf(c, action, opts.Admission))
		set.Notes = append(set.Notes, notes...)
	}
	return set, nil
}

func objectMeta(c *check.Check) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name:   PolicyName(c.ID),
		Labels: map[string]string{ManagedByLabel: ManagedBy, CheckLabel: c.ID, ItemLabel: c.Item},
	}
}

func policyOf(c *check.Check, opts Options) (*admissionregistrationv1.ValidatingAdmissionPolicy, []string, error) {
	kinds := c.Admission.Kinds
	if len(kinds) == 0 {
		kinds = c.Kinds
	}
	if len(kinds) == 0 {
		kinds = workloadKinds()
	}
	for _, k := range kinds {
		if _, ok := workloadResources[k]; !ok {
			return nil, nil, fmt.Errorf("check %s: kind %s is not a workload kind the policies know", c.ID, k)
		}
	}
	variables := workloadVariables()
	for _, s := range c.Settings {
		// Only the settings the policy reads: a check's other settings (those of its fix,
		// which akscheck fix reads) would be variables no expression uses.
		if ref := "variables." + s.Key(); !strings.Contains(c.Admission.Expression, ref) && !strings.Contains(c.Admission.Message, ref) {
			continue
		}
		lit, err := celLiteral(settingValue(s, opts.Settings))
		if err != nil {
			return nil, nil, fmt.Errorf("check %s: setting %s: %w", c.ID, s.Key(), err)
		}
		variables = append(variables, admissionregistrationv1.Variable{Name: s.Key(), Expression: lit})
	}
	// The denial reads like the webhook's: "[check-id] item: message. Fix: remediation".
	prefix := "[" + c.ID + "] " + c.Item + ": "
	fix := ". Fix: " + c.Remediation
	validation := admissionregistrationv1.Validation{
		Expression:        c.Admission.Expression,
		Message:           prefix + strings.TrimSuffix(c.Title, ".") + ": not so for this object" + fix,
		MessageExpression: strconv.Quote(prefix) + " + (" + c.Admission.Message + ") + " + strconv.Quote(fix),
	}
	conditions, notes := matchConditions(c, opts)
	fail := admissionregistrationv1.Fail
	p := &admissionregistrationv1.ValidatingAdmissionPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: admissionregistrationv1.SchemeGroupVersion.String(), Kind: "ValidatingAdmissionPolicy"},
		ObjectMeta: objectMeta(c),
		Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{
			// An expression that cannot be evaluated rejects (or warns): a check that cannot
			// decide never passes silently.
			FailurePolicy:    &fail,
			MatchConstraints: &admissionregistrationv1.MatchResources{ResourceRules: resourceRules(kinds)},
			MatchConditions:  conditions,
			Variables:        variables,
			Validations:      []admissionregistrationv1.Validation{validation},
		},
	}
	p.Annotations = map[string]string{"akscheck.io/title": c.Title, "akscheck.io/severity": opts.Policy.SeverityOf(c).String()}
	return p, notes, nil
}

// matchConditions leave out the objects that exemptions cover: the exemption annotation
// (unless the config is strict) and the config's exemptions of the check.
func matchConditions(c *check.Check, opts Options) ([]admissionregistrationv1.MatchCondition, []string) {
	var out []admissionregistrationv1.MatchCondition
	var notes []string
	if opts.Policy == nil || !opts.Policy.Strict {
		out = append(out, admissionregistrationv1.MatchCondition{Name: "not-exempted-by-annotation", Expression: "!(" + annotationExempts(c) + ")"})
	}
	if opts.Policy == nil {
		return out, nil
	}
	for i, e := range opts.Policy.Exemptions {
		if e.Check != c.ID && e.Check != c.Item {
			continue
		}
		where := fmt.Sprintf("exemption of %s (%s:%d)", e.Check, opts.Policy.Source, e.Line)
		if !e.Expires.IsZero() && !opts.Now.Before(e.Expires) {
			continue
		}
		cond, ok := configExempts(e)
		if !ok {
			notes = append(notes, fmt.Sprintf("%s: left out of policy %s: it names a container or has a malformed glob, and a policy judges the whole object",
				where, PolicyName(c.ID)))
			continue
		}
		if !e.Expires.IsZero() {
			notes = append(notes, fmt.Sprintf("%s: policy %s keeps it after it expires on %s; generate the policies again then",
				where, PolicyName(c.ID), e.Expires.Format(time.DateOnly)))
		}
		out = append(out, admissionregistrationv1.MatchCondition{Name: fmt.Sprintf("not-exempted-by-config-%d", i+1), Expression: "!(" + cond + ")"})
	}
	return out, notes
}

func bindingOf(c *check.Check, action enforce.Action, admission *enforce.Policy) admissionregistrationv1.ValidatingAdmissionPolicyBinding {
	actions := []admissionregistrationv1.ValidationAction{admissionregistrationv1.Deny}
	if action == enforce.Warn {
		actions = []admissionregistrationv1.ValidationAction{admissionregistrationv1.Warn}
	}
	if admission == nil {
		admission = enforce.Default()
	}
	b := admissionregistrationv1.ValidatingAdmissionPolicyBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: admissionregistrationv1.SchemeGroupVersion.String(), Kind: "ValidatingAdmissionPolicyBinding"},
		ObjectMeta: objectMeta(c),
		Spec: admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{
			PolicyName:        PolicyName(c.ID),
			ValidationActions: actions,
		},
	}
	if len(admission.ExcludeNamespaces) > 0 {
		excluded := slices.Clone(admission.ExcludeNamespaces)
		slices.Sort(excluded)
		b.Spec.MatchResources = &admissionregistrationv1.MatchResources{NamespaceSelector: &metav1.LabelSelector{
			MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpNotIn, Values: excluded}},
		}}
	}
	return b
}

// settingValue is the value of setting s in settings, else its default.
func settingValue(s check.Setting, settings check.Settings) any {
	if v, ok := settings[s.Key()]; ok {
		return v
	}
	return s.DefaultValue()
}

// celLiteral writes v as a CEL literal. JSON strings, numbers, booleans, lists and maps are
// CEL literals too; an empty list is written [] rather than null.
func celLiteral(v any) (string, error) {
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Slice && rv.Len() == 0 {
		return "[]", nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("writing %v as CEL: %w", v, err)
	}
	return string(data), nil
}

// validate compiles every expression of a policy as kube-apiserver would.
func validate(env *cel.Env, p *admissionregistrationv1.ValidatingAdmissionPolicy) error {
	type expr struct {
		where, text string
		want        *cel.Type
	}
	var exprs []expr
	for _, v := range p.Spec.Variables {
		exprs = append(exprs, expr{"variable " + v.Name, v.Expression, nil})
	}
	for _, m := range p.Spec.MatchConditions {
		exprs = append(exprs, expr{"match condition " + m.Name, m.Expression, cel.BoolType})
	}
	for _, v := range p.Spec.Validations {
		exprs = append(exprs, expr{"validation", v.Expression, cel.BoolType}, expr{"message expression", v.MessageExpression, cel.StringType})
	}
	for _, e := range exprs {
		if _, err := compile(env, e.text, e.want); err != nil {
			return fmt.Errorf("%s %q: %w", e.where, e.text, err)
		}
	}
	return nil
}

// WriteYAML writes the policies and bindings as one multi-document YAML stream, each policy
// followed by its binding.
func (s *Set) WriteYAML(w io.Writer, header string) error {
	var b bytes.Buffer
	b.WriteString(header)
	for i := range s.Policies {
		for _, obj := range []runtime.Object{&s.Policies[i], &s.Bindings[i]} {
			doc, err := marshal(obj)
			if err != nil {
				return err
			}
			b.WriteString("---\n")
			b.Write(doc)
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// marshal writes an object as YAML without the empty status and creationTimestamp that the
// typed form carries.
func marshal(obj runtime.Object) ([]byte, error) {
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, fmt.Errorf("converting %T: %w", obj, err)
	}
	delete(u, "status")
	if meta, ok := u["metadata"].(map[string]any); ok {
		delete(meta, "creationTimestamp")
	}
	data, err := yaml.Marshal(u)
	if err != nil {
		return nil, fmt.Errorf("writing %T as YAML: %w", obj, err)
	}
	return data, nil
}
