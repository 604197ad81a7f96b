package azure

import (
	"context"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/policyinsights/armpolicyinsights"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armpolicy"

	"github.com/akscheck/akscheck/internal/subject"
)

// policy reads Azure Policy at the cluster's scope:
//   - the policy assignments that apply to the cluster, through Policy Assignments - List
//     For Resource (GET {cluster}/providers/Microsoft.Authorization/policyAssignments,
//     api-version 2023-04-01, learn.microsoft.com/rest/api/policy/policy-assignments/list-for-resource):
//     without $filter it answers every assignment at the cluster or any scope above it
//     (resource group, subscription, management groups), and those of resources under it,
//     which are left out here;
//   - the non-compliant policy states of the cluster, through Policy States - List Query
//     Results For Resource (POST {cluster}/providers/Microsoft.PolicyInsights/policyStates/latest/queryResults
//     with $filter=complianceState eq 'NonCompliant', api-version 2024-10-01,
//     learn.microsoft.com/rest/api/policyinsights/policy-states/list-query-results-for-resource).
//
// Both answers go to the ARM loader as the JSON the API sent, as az policy assignment list
// and az policy state list print them. A listing read in full becomes a PolicyListing, so
// that no assignment then means none; a refused one (403) is an error entry naming the
// role it needs, and the policy checks are then not evaluated.
func (r *reader) policy(ctx context.Context) {
	listing := &subject.PolicyListing{AzureResource: subject.AzureResource{ID: r.clusterID,
		Name: r.id.Name, Type: "Microsoft.Authorization/policyAssignments", Source: subject.Location{File: r.clusterID},
		Input: subject.InputARM, Form: subject.FormDeployed}, Target: r.clusterID}
	if r.policyAssignments(ctx) {
		listing.StatesRead = r.policyStates(ctx)
		r.scan.Others = append(r.scan.Others, listing)
	}
}

// policyAssignments lists the assignments that apply to the cluster; it reports whether
// they were read.
func (r *reader) policyAssignments(ctx context.Context) bool {
	src := r.clusterID + "/providers/Microsoft.Authorization/policyAssignments"
	ac, err := armpolicy.NewAssignmentsClient(r.id.SubscriptionID, r.c.cred, r.c.opts)
	if err != nil {
		r.fail(src, "Azure client", err)
		return false
	}
	all, err := collect(ctx, ac.NewListForResourcePager(r.id.ResourceGroupName, "Microsoft.ContainerService", "", "managedClusters", r.id.Name, nil),
		func(p armpolicy.AssignmentsClientListForResourceResponse) []*armpolicy.Assignment { return p.Value })
	if err != nil {
		r.failRefused(src, "listing the policy assignments that apply to the cluster", "Reader role (Microsoft.Authorization/policyAssignments/read)", err)
		return false
	}
	var applying []*armpolicy.Assignment
	for _, a := range all {
		// The list also holds the assignments of resources under the cluster: they do not
		// apply to it.
		if a == nil || a.Properties == nil || a.Properties.Scope == nil {
			continue
		}
		if scope := *a.Properties.Scope; subject.ScopeKindOf(scope) == subject.ScopeManagementGroup || subject.UnderScope(scope, r.clusterID) {
			applying = append(applying, a)
		}
	}
	before := len(r.scan.Others)
	addList(r, src, "listing the policy assignments that apply to the cluster", applying, nil)
	for _, s := range r.scan.Others[before:] {
		if pa, ok := s.(*subject.PolicyAssignment); ok {
			pa.AppliesTo = append(pa.AppliesTo, r.clusterID)
		}
	}
	return true
}

// policyStates lists the cluster's non-compliant policy states; it reports whether they
// were read.
func (r *reader) policyStates(ctx context.Context) bool {
	src := r.clusterID + "/providers/Microsoft.PolicyInsights/policyStates/latest"
	pc, err := armpolicyinsights.NewPolicyStatesClient(r.c.cred, r.c.opts)
	if err != nil {
		r.fail(src, "Azure client", err)
		return false
	}
	all, err := collect(ctx, pc.NewListQueryResultsForResourcePager(armpolicyinsights.PolicyStatesResourceLatest, strings.TrimPrefix(r.clusterID, "/"),
		&armpolicyinsights.QueryOptions{Filter: to.Ptr("complianceState eq 'NonCompliant'")}, nil),
		func(p armpolicyinsights.PolicyStatesClientListQueryResultsForResourceResponse) []*armpolicyinsights.PolicyState {
			return p.Value
		})
	if err != nil {
		r.failRefused(src, "listing the cluster's non-compliant policy states", "Policy Insights Data Reader role (Microsoft.PolicyInsights/policyStates/queryResults/read)", err)
		return false
	}
	return addList(r, src, "listing the cluster's non-compliant policy states", all, nil)
}
