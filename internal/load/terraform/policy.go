package terraform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/akscheck/akscheck/internal/subject"
)

// Azure Policy assignments, with the azurerm provider's argument names
// (registry.terraform.io/providers/hashicorp/azurerm/latest/docs): azurerm_resource_group_policy_assignment
// (resource_group_id), azurerm_subscription_policy_assignment (subscription_id),
// azurerm_resource_policy_assignment (resource_id), azurerm_management_group_policy_assignment
// (management_group_id), each with policy_definition_id, parameters (a JSON string, usually
// jsonencode({effect = {value = "Deny"}})), enforce (default true) and not_scopes; and the
// azurerm_policy_assignment of azurerm v2 (scope, enforcement_mode).
const (
	tfPolicyRG       = "azurerm_resource_group_policy_assignment"
	tfPolicySub      = "azurerm_subscription_policy_assignment"
	tfPolicyResource = "azurerm_resource_policy_assignment"
	tfPolicyMG       = "azurerm_management_group_policy_assignment"
	tfPolicyOld      = "azurerm_policy_assignment"
	tfResourceGroup  = "azurerm_resource_group"
)

// policyScopes are the scope argument and scope kind of each assignment type.
var policyScopes = map[string]struct{ attr, kind string }{
	tfPolicyRG:       {"resource_group_id", subject.ScopeResourceGroup},
	tfPolicySub:      {"subscription_id", subject.ScopeSubscription},
	tfPolicyResource: {"resource_id", subject.ScopeResource},
	tfPolicyMG:       {"management_group_id", subject.ScopeManagementGroup},
	tfPolicyOld:      {"scope", ""},
}

// policyAssignments maps a module's policy assignments. A scope that references another
// resource of the module is named by it: a resource group by its name argument, any other
// resource by its address, so that checks can tell whether it is the cluster's.
func policyAssignments(resources []*tblock, input subject.InputKind) ([]subject.Subject, []subject.LoadError) {
	byAddress := map[string]*tblock{}
	for _, r := range resources {
		byAddress[r.address()] = r
	}
	var out []subject.Subject
	var errs []subject.LoadError
	for _, r := range resources {
		sc, ok := policyScopes[r.labels[0]]
		if !ok {
			continue
		}
		a := &subject.PolicyAssignment{AzureResource: base(r, input)}
		scope := r.attr(sc.attr)
		a.Scope = scope.str()
		a.ScopeKind = sc.kind
		if a.Scope.IsKnown() {
			if k := subject.ScopeKindOf(a.Scope.V); k != "" {
				a.ScopeKind = k
			}
		} else {
			a.ScopeName = subject.String{Attr: scope.base()}
			for _, ref := range scope.refs {
				b, ok := byAddress[ref]
				if !ok {
					continue
				}
				if b.labels[0] == tfResourceGroup {
					a.ScopeKind = subject.ScopeResourceGroup
					a.ScopeName = b.attr("name").str()
				} else {
					if a.ScopeKind == "" {
						a.ScopeKind = subject.ScopeResource
					}
					a.ScopeName = subject.KnownString(ref, scope.loc)
				}
				break
			}
		}
		a.DefinitionID = r.attr("policy_definition_id").str()
		a.Effect = effectOf(r.attr("parameters"), &errs)
		enforce := r.attr("enforce")
		if r.labels[0] == tfPolicyOld {
			enforce = r.attr("enforcement_mode")
		}
		switch b := enforce.boolean(); {
		case b.IsKnown() && b.V:
			a.EnforcementMode = subject.KnownString("Default", b.Loc)
		case b.IsKnown():
			a.EnforcementMode = subject.KnownString("DoNotEnforce", b.Loc)
		default:
			a.EnforcementMode = subject.String{Attr: b.Attr}
		}
		a.NotScopes = r.attr("not_scopes").list()
		out = append(out, a)
	}
	return out, errs
}

// effectOf reads the effect parameter of an assignment's parameters argument. Unknown
// parameters (a value known only after apply, a function akscheck does not evaluate) leave
// the effect unknown, not absent; JSON that does not parse is an error entry.
func effectOf(params *tval, errs *[]subject.LoadError) subject.String {
	out := subject.String{Attr: params.base()}
	if params.state != subject.Known {
		return out
	}
	s, ok := params.v.(string)
	if !ok {
		out.State = subject.Unknown
		return out
	}
	v, found, err := ParseEffect([]byte(s))
	switch {
	case err != nil:
		*errs = append(*errs, subject.LoadError{Source: params.loc.File, Line: params.loc.Line,
			Message: fmt.Sprintf("%s: %v; the effect is read as unknown", params.loc.Path, err)})
		out.State = subject.Unknown
	case !found:
		out.State = subject.Absent
	default:
		out.V = v
	}
	return out
}

// errNotObject is the error of parameters that are JSON but no object.
var errNotObject = errors.New("the policy parameters are not a JSON object")

// ParseEffect reads the effect parameter's value from an assignment's parameters JSON
// ({"effect": {"value": "Deny"}, ...}, keys as Azure matches them: ignoring case). found is
// false when the parameters do not set it; a value that is no string is an error.
func ParseEffect(data []byte) (effect string, found bool, err error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return "", false, nil
	}
	var params map[string]json.RawMessage
	if err := json.Unmarshal(data, &params); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			return "", false, errNotObject
		}
		return "", false, fmt.Errorf("the policy parameters are not valid JSON: %w", err)
	}
	for k, raw := range params {
		if !strings.EqualFold(k, "effect") {
			continue
		}
		var p map[string]json.RawMessage
		if err := json.Unmarshal(raw, &p); err != nil {
			return "", false, errors.New(`the effect parameter is not an object {"value": ...}`)
		}
		for pk, pv := range p {
			if !strings.EqualFold(pk, "value") {
				continue
			}
			var s string
			if err := json.Unmarshal(pv, &s); err != nil {
				return "", false, errors.New("the effect parameter's value is not a string")
			}
			return s, true, nil
		}
		return "", false, nil
	}
	return "", false, nil
}
