package subject

import (
	"path/filepath"
	"strings"
)

// Scope kinds of a policy assignment, as PolicyAssignment.ScopeKind names them.
const (
	ScopeManagementGroup = "management group"
	ScopeSubscription    = "subscription"
	ScopeResourceGroup   = "resource group"
	ScopeResource        = "resource"
)

// PolicyAssignment is an Azure Policy assignment of the inputs
// (Microsoft.Authorization/policyAssignments as az policy assignment list, the REST API and
// templates write it; azurerm_*_policy_assignment): which policy definition or initiative it
// assigns, at which scope, with which effect, and whether it is enforced.
type PolicyAssignment struct {
	AzureResource
	// Scope is the ARM ID of the scope (properties.scope; the Terraform scope argument):
	// /providers/Microsoft.Management/managementGroups/x, /subscriptions/x,
	// /subscriptions/x/resourceGroups/y or a resource ID. Unknown when it is an expression
	// akscheck cannot resolve (a Terraform resource's computed id).
	Scope String
	// ScopeKind is one of the Scope* constants: from the ID, the Terraform resource type, or
	// the deployment scope of the template that declares it. "" when nothing says.
	ScopeKind string
	// ScopeName names the scope when its ID is not known: the resource group's name or the
	// Terraform address of the resource (azurerm_kubernetes_cluster.main) a Terraform scope
	// references, the resource a template's scope property names. Unknown when unresolved.
	ScopeName String
	// DefinitionID is properties.policyDefinitionId (policy_definition_id): a policy
	// definition (/providers/Microsoft.Authorization/policyDefinitions/GUID) or an initiative
	// (.../policySetDefinitions/GUID).
	DefinitionID String
	// Effect is the value of the assignment's "effect" parameter (parameters.effect.value),
	// as the built-in Kubernetes policies take it: Deny, Audit, Disabled. Absent when the
	// assignment does not set it (the definition's default applies), unknown when the
	// parameters are an expression akscheck cannot resolve.
	Effect String
	// EnforcementMode is properties.enforcementMode (enforce in Terraform): Default, or
	// DoNotEnforce, under which no deny effect is applied. Absent means Default.
	EnforcementMode String
	// NotScopes are the scopes excluded from the assignment (not_scopes).
	NotScopes List
	// AppliesTo are the resource IDs a live listing read the assignment for (the list of
	// assignments that apply to a cluster); empty for files.
	AppliesTo []string
}

// Enforced reports whether the assignment's enforcement mode is known to be Default
// (enforced); DoNotEnforce or an unknown mode is not.
func (a *PolicyAssignment) Enforced() bool {
	return a.EnforcementMode.IsAbsent() || a.EnforcementMode.Is("Default")
}

// Declared reports whether the assignment comes from a description of resources to deploy
// (a template, Bicep, a Terraform module or plan) rather than from Azure.
func Declared(r *AzureResource) bool {
	switch r.Form {
	case FormTemplate, FormBicep, FormModule, FormPlan:
		return true
	}
	return false
}

// PolicyState is one non-compliant policy state that Azure Policy Insights reported
// (policyStates/latest/queryResults with complianceState eq 'NonCompliant', az policy state
// list): the resource Azure Policy found non-compliant and the assignment and definition
// that judged it.
type PolicyState struct {
	AzureResource
	ResourceID            string
	ResourceType          string
	AssignmentID          string
	AssignmentName        string
	DefinitionID          string
	DefinitionName        string
	SetDefinitionID       string
	DefinitionReferenceID string
	ComplianceState       string
	DefinitionAction      string
}

// PolicyListing records that a live read listed every policy assignment applying to a
// resource (Target, an ARM ID) and, when StatesRead, its non-compliant policy states: no
// assignment or no state then means none.
type PolicyListing struct {
	AzureResource
	Target     string
	StatesRead bool
}

// PolicyView is what a scan holds about the policy of one cluster.
type PolicyView struct {
	// Assignments are those that apply to the cluster.
	Assignments []*PolicyAssignment
	// Unsure are assignments of the cluster's configuration whose scope or exclusions are
	// unknown: they may apply.
	Unsure []*PolicyAssignment
	// Evidence is true when the scan holds assignments comparable with the cluster (of its
	// configuration, or Azure's own with known scopes) or a live listing for it.
	Evidence bool
	// States are the non-compliant policy states of the cluster and of resources under it.
	States []*PolicyState
	// StatesRead is true when a live listing read the cluster's compliance state, or the
	// scan holds policy states that cover it.
	StatesRead bool
}

// ClusterPolicy gathers, from the scan's subjects, the assignments that apply at cluster
// c's scope and its non-compliant states. An assignment applies when:
//   - it is Azure's own (az, REST, --azure) with a known scope that is a management group
//     (an az or API listing holds one only when it applies), or an ID prefix of the
//     cluster's ID, and none of its notScopes is;
//   - it is declared in the same configuration as the cluster (the same input kind and
//     directory) at a management group or subscription, at the cluster's resource group
//     (by name, when both names are known), or at the cluster itself.
func ClusterPolicy(subjects []Subject, c *Cluster) PolicyView {
	var v PolicyView
	for _, s := range subjects {
		switch x := s.(type) {
		case *PolicyListing:
			if c.ID != "" && strings.EqualFold(x.Target, c.ID) {
				v.Evidence = true
				v.StatesRead = v.StatesRead || x.StatesRead
			}
		case *PolicyState:
			if c.ID != "" && UnderScope(c.ID, x.ResourceID) {
				v.States = append(v.States, x)
				v.StatesRead = true
			}
		}
	}
	for _, s := range subjects {
		a, ok := s.(*PolicyAssignment)
		if !ok {
			continue
		}
		switch applies(a, c) {
		case applyYes:
			v.Evidence = true
			v.Assignments = append(v.Assignments, a)
		case applyNo:
			v.Evidence = true
		case applyUnknown:
			v.Evidence = true
			v.Unsure = append(v.Unsure, a)
		}
	}
	return v
}

type applyVerdict uint8

const (
	applyUnrelated applyVerdict = iota // not comparable with the cluster: no evidence about it
	applyNo
	applyYes
	applyUnknown
)

// applies decides whether assignment a applies to cluster c.
func applies(a *PolicyAssignment, c *Cluster) applyVerdict {
	for _, id := range a.AppliesTo {
		if c.ID != "" && strings.EqualFold(id, c.ID) {
			return excluded(a, c)
		}
	}
	if !Declared(&a.AzureResource) {
		if c.ID == "" || !a.Scope.IsKnown() {
			return applyUnrelated
		}
		if a.ScopeKind == ScopeManagementGroup || UnderScope(a.Scope.V, c.ID) {
			return excluded(a, c)
		}
		return applyNo
	}
	if !sameConfiguration(&a.AzureResource, &c.AzureResource) {
		return applyUnrelated
	}
	if a.Scope.IsKnown() && c.ID != "" {
		if a.ScopeKind == ScopeManagementGroup || UnderScope(a.Scope.V, c.ID) {
			return excluded(a, c)
		}
		return applyNo
	}
	switch a.ScopeKind {
	case ScopeManagementGroup, ScopeSubscription:
		return excluded(a, c)
	case ScopeResourceGroup:
		rg := c.ResourceGroup
		if c.ID != "" {
			rg = KnownString(ResourceGroupOf(c.ID), c.Source)
		}
		name := a.ScopeName
		if !name.IsKnown() && a.Scope.IsKnown() {
			name = KnownString(ResourceGroupOf(a.Scope.V), a.Scope.Loc)
		}
		switch {
		case name.IsKnown() && rg.IsKnown() && name.V != "" && rg.V != "":
			if strings.EqualFold(name.V, rg.V) {
				return excluded(a, c)
			}
			return applyNo
		case !name.IsKnown() && !a.ScopeName.IsUnknown() && !a.Scope.IsUnknown():
			// A template's resource-group deployment: the cluster's own group.
			return excluded(a, c)
		}
		return applyUnknown
	case ScopeResource:
		name := a.ScopeName
		if !name.IsKnown() && a.Scope.IsKnown() {
			name = KnownString(lastSegment(a.Scope.V), a.Scope.Loc)
		}
		if !name.IsKnown() {
			return applyUnknown
		}
		if strings.EqualFold(name.V, c.Name) || (c.ResourceName.IsKnown() && strings.EqualFold(name.V, c.ResourceName.V)) ||
			strings.EqualFold(name.V, lastSegment(c.Name)) {
			return excluded(a, c)
		}
		return applyNo
	}
	return applyUnknown
}

// excluded applies the assignment's notScopes to a cluster it otherwise applies to.
func excluded(a *PolicyAssignment, c *Cluster) applyVerdict {
	if a.NotScopes.IsUnknown() {
		return applyUnknown
	}
	for _, ns := range a.NotScopes.V {
		if c.ID != "" && UnderScope(ns, c.ID) {
			return applyNo
		}
		if c.ID == "" && ns != "" {
			// A declared cluster has no ID to compare: an exclusion that names its group or
			// itself cannot be ruled out.
			if (c.ResourceGroup.IsKnown() && strings.EqualFold(ResourceGroupOf(ns), c.ResourceGroup.V) && !strings.Contains(strings.ToLower(ns), "/providers/")) ||
				strings.EqualFold(lastSegment(ns), lastSegment(c.Name)) || (c.ResourceName.IsKnown() && strings.EqualFold(lastSegment(ns), c.ResourceName.V)) {
				return applyNo
			}
		}
	}
	return applyYes
}

// UnderScope reports whether resource ID id is at or under scope (an ARM ID prefix on a
// segment boundary, ignoring case).
func UnderScope(scope, id string) bool {
	s := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(scope), "/"))
	l := strings.ToLower(strings.TrimSpace(id))
	if s == "" {
		return false
	}
	return l == s || strings.HasPrefix(l, s+"/")
}

// ScopeKindOf is the kind of scope an ARM ID names ("" when it is none).
func ScopeKindOf(id string) string {
	low := strings.ToLower(strings.Trim(strings.TrimSpace(id), "/"))
	parts := strings.Split(low, "/")
	switch {
	case strings.HasPrefix(low, "providers/microsoft.management/managementgroups/") && len(parts) == 4:
		return ScopeManagementGroup
	case len(parts) == 2 && parts[0] == "subscriptions":
		return ScopeSubscription
	case len(parts) == 4 && parts[0] == "subscriptions" && parts[2] == "resourcegroups":
		return ScopeResourceGroup
	case len(parts) > 4 && parts[0] == "subscriptions" && strings.Contains(low, "/providers/"):
		return ScopeResource
	}
	return ""
}

// ResourceGroupOf is the resource group segment of an ARM ID, or "".
func ResourceGroupOf(id string) string {
	parts := strings.Split(strings.Trim(id, "/"), "/")
	for i := 0; i+1 < len(parts); i++ {
		if strings.EqualFold(parts[i], "resourceGroups") {
			return parts[i+1]
		}
	}
	return ""
}

// sameConfiguration reports whether two declared resources come from one configuration:
// the same kind of input in the same directory (a Terraform module, the files of one
// template folder).
func sameConfiguration(a, b *AzureResource) bool {
	if a.Input != b.Input || a.Source.File == "" || b.Source.File == "" {
		return false
	}
	return filepath.Dir(a.Source.File) == filepath.Dir(b.Source.File)
}

// GUIDOf is the last segment of a policy definition ID, lower-cased: the definition's name,
// a GUID for the built-in ones.
func GUIDOf(definitionID string) string {
	id := strings.TrimSuffix(strings.TrimSpace(definitionID), "/")
	if i := strings.LastIndex(id, "/"); i >= 0 {
		id = id[i+1:]
	}
	return strings.ToLower(id)
}
