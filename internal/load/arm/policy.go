package arm

import (
	"strings"

	"github.com/akscheck/akscheck/internal/subject"
)

// Azure Policy. Policy assignments are Microsoft.Authorization/policyAssignments as the REST
// API (api-version 2023-04-01, learn.microsoft.com/rest/api/policy/policy-assignments/list-for-resource),
// az policy assignment list/show and templates write them: properties {scope, notScopes,
// policyDefinitionId, parameters: {effect: {value}}, enforcementMode: Default|DoNotEnforce}.
// The az CLI prints the properties without their "properties" level. Policy states are the
// records of Policy Insights' policyStates/latest/queryResults (api-version 2024-10-01,
// learn.microsoft.com/rest/api/policyinsights/policy-states/list-query-results-for-resource)
// and az policy state list: flat objects with resourceId, policyAssignmentId,
// policyDefinitionId, policySetDefinitionId, policyDefinitionReferenceId and
// complianceState, and no type.
const (
	typePolicyAssignment = "microsoft.authorization/policyassignments"
	policyAssignmentType = "Microsoft.Authorization/policyAssignments"
	policyStateType      = "Microsoft.PolicyInsights/policyStates"
)

// isPolicyState reports whether an object is a policy state record.
func isPolicyState(n *node) bool {
	return n != nil && n.kind == kObj && n.get("policyAssignmentId").strOr() != "" &&
		n.get("resourceId").strOr() != "" && (n.get("complianceState") != nil || n.get("isCompliant") != nil)
}

// policyAssignment maps an assignment. scopeKind is what the input's form says of its
// scope when properties.scope is not written (a template's deployment scope), "" if
// nothing does; scopeName the resource a template's scope property names.
func (r res) policyAssignment(name, scopeKind, scopeName string, input subject.InputKind) *subject.PolicyAssignment {
	a := &subject.PolicyAssignment{AzureResource: r.base(orDefault(r.typ(), policyAssignmentType), name, input)}
	a.Scope = r.str("scope")
	a.ScopeKind = scopeKind
	if a.Scope.IsKnown() {
		if k := subject.ScopeKindOf(a.Scope.V); k != "" {
			a.ScopeKind = k
		}
	} else if a.ID != "" {
		// An assignment's ID is its scope with /providers/Microsoft.Authorization/policyAssignments/NAME.
		low := strings.ToLower(a.ID)
		if i := strings.LastIndex(low, "/providers/microsoft.authorization/policyassignments/"); i >= 0 {
			scope := a.ID[:i]
			if scope == "" {
				scope = "/"
			}
			if k := subject.ScopeKindOf(scope); k != "" {
				a.Scope = subject.KnownString(scope, a.Source)
				a.ScopeKind = k
			}
		}
	}
	if scopeName != "" {
		a.ScopeName = subject.KnownString(scopeName, a.Source)
	}
	a.DefinitionID = r.str("policyDefinitionId")
	a.Effect = r.str("parameters", "effect", "value")
	if a.Effect.IsAbsent() {
		// A parameters object that is itself an expression hides whether effect is set.
		if p := r.prop("parameters"); p != nil && p.kind == kUnknown {
			a.Effect.State = subject.Unknown
		}
	}
	a.EnforcementMode = r.str("enforcementMode")
	a.NotScopes = r.list("notScopes")
	return a
}

// policyState maps a policy state record.
func (r res) policyState(input subject.InputKind) *subject.PolicyState {
	get := func(k string) string { return r.n.get(k).strOr() }
	s := &subject.PolicyState{AzureResource: r.base(policyStateType, get("policyAssignmentName")+"/"+lastSeg(get("resourceId")), input)}
	s.ID = ""
	s.ResourceID = get("resourceId")
	s.ResourceType = get("resourceType")
	s.AssignmentID = get("policyAssignmentId")
	s.AssignmentName = get("policyAssignmentName")
	s.DefinitionID = get("policyDefinitionId")
	s.DefinitionName = get("policyDefinitionName")
	s.SetDefinitionID = get("policySetDefinitionId")
	s.DefinitionReferenceID = get("policyDefinitionReferenceId")
	s.ComplianceState = get("complianceState")
	if s.ComplianceState == "" {
		if c := r.n.get("isCompliant"); c != nil && c.kind == kBool {
			s.ComplianceState = "Compliant"
			if !c.b {
				s.ComplianceState = "NonCompliant"
			}
		}
	}
	s.DefinitionAction = get("policyDefinitionAction")
	return s
}

// templateScopeKind is the scope kind of a template's deployment, from its $schema: a
// resource group unless it is a subscription, management group or tenant template.
func templateScopeKind(t *node) string {
	schema := strings.ToLower(t.get("$schema").strOr())
	switch {
	case strings.Contains(schema, "subscriptiondeploymenttemplate"):
		return subject.ScopeSubscription
	case strings.Contains(schema, "managementgroupdeploymenttemplate"):
		return subject.ScopeManagementGroup
	case strings.Contains(schema, "tenantdeploymenttemplate"):
		return ""
	}
	return subject.ScopeResourceGroup
}
