package cluster

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// builtinPolicy is a built-in Azure Policy definition or initiative, by the GUID that names
// it, with the default of its effect parameter (what an assignment that does not set the
// effect gets).
type builtinPolicy struct {
	guid, name, defaultEffect string
}

// The built-in Kubernetes policies the checks look for. Each GUID and default was read in
// Microsoft's Azure/azure-policy repository (built-in-policies/), the source of the
// built-in definitions:
var (
	// policyDefinitions/Kubernetes/ContainerAllowedImages.json: "name":
	// "febd0533-8e55-448f-b837-bd0e06f16469", version 10.1.1, effect defaultValue "Deny".
	policyAllowedImages = builtinPolicy{"febd0533-8e55-448f-b837-bd0e06f16469", "Kubernetes cluster containers should only use allowed images", "Deny"}
	// policyDefinitions/Kubernetes/ContainerNoPrivilege.json: "name":
	// "95edb821-ddaf-4404-9732-666045e056b4", version 7.2.0, effect defaultValue "Deny".
	policyNoPrivileged = builtinPolicy{"95edb821-ddaf-4404-9732-666045e056b4", "Kubernetes cluster should not allow privileged containers", "Deny"}
	// policySetDefinitions/Kubernetes/Kubernetes_PSPBaselineStandard.json: "name":
	// "a8640138-9b0a-4a28-b8cb-1666c838647d", version 1.2.0, effect defaultValue "Audit";
	// it holds 95edb821 (NoPrivilegedContainers) with the initiative's effect.
	policyPodBaseline = builtinPolicy{"a8640138-9b0a-4a28-b8cb-1666c838647d", "Kubernetes cluster pod security baseline standards for Linux-based workloads", "Audit"}
	// policySetDefinitions/Kubernetes/Kubernetes_PSPRestrictedStandard.json: "name":
	// "42b8ef37-b724-4e24-bbc8-7a7708edfe00", version 2.5.0, effect defaultValue "Audit".
	policyPodRestricted = builtinPolicy{"42b8ef37-b724-4e24-bbc8-7a7708edfe00", "Kubernetes cluster pod security restricted standards for Linux-based workloads", "Audit"}
)

// policyEvidenceHint says which inputs carry the assignments at a cluster's scope.
const policyEvidenceHint = "az policy assignment list --scope <cluster ID> --disable-scope-strict-match output, " +
	"the ARM template or Terraform (azurerm_*_policy_assignment) that assigns them, or a scan with --azure"

// clusterPolicy is what the scan holds about the policy of cluster c.
func clusterPolicy(env *check.Env, c *subject.Cluster) subject.PolicyView {
	var all []subject.Subject
	all = append(all, env.Index.Subjects(subject.TypeOf[*subject.PolicyListing]())...)
	all = append(all, env.Index.Subjects(subject.TypeOf[*subject.PolicyState]())...)
	all = append(all, env.Index.Subjects(subject.TypeOf[*subject.PolicyAssignment]())...)
	return subject.ClusterPolicy(all, c)
}

const policyAssignmentsDescription = "Azure Policy assignments that apply at the cluster's scope: its management " +
	"group (when the input holds the assignment), subscription, resource group, or the cluster itself, less " +
	"their notScopes; from az policy assignment list or REST output, ARM templates " +
	"(Microsoft.Authorization/policyAssignments), Terraform (azurerm_management_group_policy_assignment, " +
	"azurerm_subscription_policy_assignment, azurerm_resource_group_policy_assignment, " +
	"azurerm_resource_policy_assignment, azurerm_policy_assignment), or --azure. An assignment counts when " +
	"its policyDefinitionId is the built-in definition or initiative, its effect parameter is Deny (when not " +
	"set, the definition's default), and its enforcementMode is Default (Terraform enforce = true): under " +
	"Audit the policy only reports, under DoNotEnforce it denies nothing. Assignments in a template or " +
	"Terraform configuration count for the clusters of the same configuration. Without any assignment " +
	"evidence for the cluster (az aks show output alone) the check is not evaluated."

// PolicyAssignmentsDeny finds clusters where no pod security policy is assigned to deny.
var PolicyAssignmentsDeny = check.New(check.Meta{
	ID:          "policy-assignments-deny",
	CrossObject: true,
	Item:        "ops.azure-policy",
	Title:       "A built-in pod security policy is assigned at the cluster's scope in deny effect, enforced",
	Severity:    check.High,
	Description: policyAssignmentsDescription + " The policies: the \"" + policyPodBaseline.name + "\" (" + policyPodBaseline.guid +
		") or \"" + policyPodRestricted.name + "\" (" + policyPodRestricted.guid + ") initiative, or \"" + policyNoPrivileged.name +
		"\" (" + policyNoPrivileged.guid + ").",
	Remediation: "Assign the Kubernetes pod security baseline (or restricted) initiative at the cluster's subscription or resource group with the effect parameter Deny and enforcement mode Default, after running it in Audit to find what it would block.",
	Evidence:    clusterEvidence,
}, func(_ context.Context, env *check.Env, c *subject.Cluster, r *check.Result) {
	judgePolicyDeny(env, c, r, []builtinPolicy{policyPodBaseline, policyPodRestricted, policyNoPrivileged}, "pod security (privileged containers)")
})

// AllowedImagesPolicyDeny finds clusters where the allowed images policy does not deny.
var AllowedImagesPolicyDeny = check.New(check.Meta{
	ID:          "allowed-images-policy-deny",
	CrossObject: true,
	Item:        "container.allowed-registries",
	Title:       "The allowed images policy is assigned at the cluster's scope in deny effect, enforced",
	Severity:    check.High,
	Description: policyAssignmentsDescription + " The policy: \"" + policyAllowedImages.name + "\" (" + policyAllowedImages.guid +
		"), which makes admission refuse images outside the allowed registries.",
	Remediation: "Assign \"Kubernetes cluster containers should only use allowed images\" at the cluster's subscription or resource group with allowedContainerImagesRegex naming your registries, the effect parameter Deny and enforcement mode Default.",
	Evidence:    clusterEvidence,
}, func(_ context.Context, env *check.Env, c *subject.Cluster, r *check.Result) {
	judgePolicyDeny(env, c, r, []builtinPolicy{policyAllowedImages}, "allowed images")
})

// assigns returns the policy of want that an assignment assigns, if any.
func assigns(a *subject.PolicyAssignment, want []builtinPolicy) (builtinPolicy, bool) {
	if !a.DefinitionID.IsKnown() {
		return builtinPolicy{}, false
	}
	low := strings.ToLower(a.DefinitionID.V)
	if !strings.Contains(low, "/policydefinitions/") && !strings.Contains(low, "/policysetdefinitions/") {
		return builtinPolicy{}, false
	}
	g := subject.GUIDOf(a.DefinitionID.V)
	for _, p := range want {
		if g == p.guid {
			return p, true
		}
	}
	return builtinPolicy{}, false
}

// effectOf is the assignment's effect: its effect parameter, else the definition's default.
func effectOf(a *subject.PolicyAssignment, p builtinPolicy) (effect string, known bool) {
	switch {
	case a.Effect.IsKnown():
		return a.Effect.V, true
	case a.Effect.IsAbsent():
		return p.defaultEffect, true
	}
	return "", false
}

// judgePolicyDeny passes cluster c when an assignment of one of want applies at its scope
// with effect Deny and enforcement mode Default.
func judgePolicyDeny(env *check.Env, c *subject.Cluster, r *check.Result, want []builtinPolicy, what string) {
	view := clusterPolicy(env, c)
	if !view.Evidence {
		missingFrom(r, c, "the Azure Policy assignments at the scope", policyEvidenceHint)
		return
	}
	type weak struct {
		a   *subject.PolicyAssignment
		at  subject.Attr
		msg string
	}
	var weaknesses []weak
	var unknown []string
	for _, a := range view.Assignments {
		p, ok := assigns(a, want)
		if !ok {
			if a.DefinitionID.IsUnknown() {
				unknown = append(unknown, "the policy definition of assignment "+a.Name)
			}
			continue
		}
		effect, known := effectOf(a, p)
		switch {
		case !known:
			unknown = append(unknown, "the effect parameter of assignment "+a.Name)
			continue
		case a.EnforcementMode.IsUnknown():
			unknown = append(unknown, "the enforcement mode of assignment "+a.Name)
			continue
		}
		deny := strings.EqualFold(strings.TrimSpace(effect), "deny")
		if deny && a.Enforced() {
			return
		}
		by := ""
		if a.Effect.IsAbsent() {
			by = " (not set: the definition's default)"
		}
		switch {
		case !deny:
			weaknesses = append(weaknesses, weak{a, a.Effect.Attr, fmt.Sprintf("assignment %s assigns %q with effect %s%s: the policy reports non-compliant resources but does not block them",
				a.Name, p.name, effect, by)})
		default:
			weaknesses = append(weaknesses, weak{a, a.EnforcementMode.Attr, fmt.Sprintf("assignment %s assigns %q with effect %s but enforcementMode %s: it denies nothing",
				a.Name, p.name, effect, a.EnforcementMode.V)})
		}
	}
	for _, a := range view.Unsure {
		if _, ok := assigns(a, want); ok || a.DefinitionID.IsUnknown() {
			unknown = append(unknown, "whether assignment "+a.Name+" applies at its scope (its scope or notScopes are not known)")
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		r.Undecided(strings.Join(unknown, "; ") + " for " + noun(c))
		return
	}
	if len(weaknesses) == 0 {
		names := make([]string, len(want))
		for i, p := range want {
			names[i] = fmt.Sprintf("%q (%s)", p.name, p.guid)
		}
		fail(r, c, scopeAttr(c), "no Azure Policy assignment at the scope of cluster %s assigns %s; %d assignment(s) apply there, none for %s",
			c.Name, strings.Join(names, " or "), len(view.Assignments), what)
		return
	}
	for _, w := range weaknesses {
		fail(r, w.a, w.at, "cluster %s: %s", c.Name, w.msg)
	}
}

// maxPolicyStates caps the findings of non-compliant resources on one cluster.
const maxPolicyStates = 20

// PolicyNonCompliant lists what Azure Policy itself found non-compliant at the cluster.
var PolicyNonCompliant = check.New(check.Meta{
	ID:          "policy-noncompliant-resources",
	CrossObject: true,
	Item:        "ops.azure-policy",
	Title:       "Azure Policy reports no non-compliant resource at the cluster",
	Severity:    check.Medium,
	Description: "The latest policy states of the cluster and the resources under it, as Azure Policy Insights " +
		"reports them (policyStates/latest/queryResults with complianceState eq 'NonCompliant'; az policy state " +
		"list; read by --azure, which needs the Policy Insights Data Reader role): one finding per non-compliant " +
		"resource and policy, at most 20 with a count of the rest. The source of these findings is Azure Policy's " +
		"own evaluation, not akscheck's. Without the compliance state (files other than az policy state list " +
		"output) the check is not evaluated; on the clusters of a template or Terraform configuration, which have no " +
		"compliance state of their own, it does not apply.",
	Remediation: "Fix each resource Azure Policy reports as non-compliant (the assignment and policy are named in the finding), or exempt it with a documented Azure Policy exemption.",
	Evidence:    clusterEvidence,
}, func(_ context.Context, env *check.Env, c *subject.Cluster, r *check.Result) {
	if subject.Declared(&c.AzureResource) {
		// A template or Terraform configuration describes what to deploy: compliance is a
		// state of deployed resources, which az output or --azure reads.
		r.NotApplicable()
		return
	}
	view := clusterPolicy(env, c)
	if !view.StatesRead {
		missingFrom(r, c, "the Azure Policy compliance state", "az policy state list --resource <cluster ID> --filter \"complianceState eq 'NonCompliant'\" output, or a scan with --azure")
		return
	}
	var bad []*subject.PolicyState
	for _, s := range view.States {
		if strings.EqualFold(s.ComplianceState, "NonCompliant") {
			bad = append(bad, s)
		}
	}
	sort.SliceStable(bad, func(i, j int) bool {
		if bad[i].ResourceID != bad[j].ResourceID {
			return bad[i].ResourceID < bad[j].ResourceID
		}
		return bad[i].DefinitionID < bad[j].DefinitionID
	})
	for i, s := range bad {
		if i == maxPolicyStates {
			r.FailLoc(c.Source, "", "Azure Policy reports %d more non-compliant resource(s) at cluster %s (not listed)", len(bad)-maxPolicyStates, c.Name)
			break
		}
		policy := s.DefinitionName
		if policy == "" {
			policy = subject.GUIDOf(s.DefinitionID)
		}
		if s.DefinitionReferenceID != "" {
			policy = s.DefinitionReferenceID + " (" + policy + ")"
		}
		at := where(s.Source, c.Source)
		at.Path = "complianceState"
		r.FailLoc(at, "", "Azure Policy reports %s non-compliant with policy %s of assignment %s (source: Azure Policy)",
			s.ResourceID, policy, orName(s.AssignmentName, s.AssignmentID))
	}
})

// scopeAttr is where a finding about the cluster's scope goes: its ID (az, REST), its
// resource group argument (Terraform), its name (templates).
func scopeAttr(c *subject.Cluster) subject.Attr {
	switch {
	case c.Form == subject.FormModule || c.Form == subject.FormPlan:
		return c.ResourceGroup.Attr
	case c.ID != "":
		return subject.Attr{Loc: subject.Location{File: c.Source.File, Line: c.Source.Line, Path: "id"}}
	}
	return subject.Attr{Loc: subject.Location{File: c.Source.File, Line: c.Source.Line, Path: "name"}}
}

func orName(name, id string) string {
	if name != "" {
		return name
	}
	return id
}
