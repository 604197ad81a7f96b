package subject

import "testing"

// Which assignments apply at a cluster's scope: Azure's own by ID prefix (management groups
// always, as a listing holds them only when they apply), less notScopes; declared ones only
// within the cluster's configuration, matched by resource group or resource name.
func TestClusterPolicy(t *testing.T) {
	t.Parallel()
	const id = "/subscriptions/s1/resourcegroups/rg-shop/providers/Microsoft.ContainerService/managedClusters/aks"
	deployed := &Cluster{AzureResource: AzureResource{ID: id, Name: "aks", Form: FormDeployed, Input: InputARM, Source: Location{File: "az/aks.json"}}}
	declared := &Cluster{AzureResource: AzureResource{Name: "azurerm_kubernetes_cluster.main", Form: FormModule, Input: InputTerraform,
		Source: Location{File: "infra/main.tf"}}, ResourceGroup: KnownString("rg-shop", Location{})}
	az := func(scope string, notScopes ...string) *PolicyAssignment {
		return &PolicyAssignment{AzureResource: AzureResource{Name: scope, Form: FormDeployed, Input: InputARM, Source: Location{File: "az/a.json"}},
			Scope: KnownString(scope, Location{}), ScopeKind: ScopeKindOf(scope), NotScopes: List{Attr: Attr{State: Known}, V: notScopes}}
	}
	tf := func(file, kind string, name String) *PolicyAssignment {
		return &PolicyAssignment{AzureResource: AzureResource{Name: kind, Form: FormModule, Input: InputTerraform, Source: Location{File: file}},
			Scope: String{Attr: Attr{State: Unknown}}, ScopeKind: kind, ScopeName: name}
	}
	unknown := String{Attr: Attr{State: Unknown}}
	for name, tc := range map[string]struct {
		c       *Cluster
		a       *PolicyAssignment
		applies bool
		unsure  bool
		related bool
	}{
		"subscription":             {deployed, az("/subscriptions/s1"), true, false, true},
		"resource group any case":  {deployed, az("/subscriptions/S1/resourceGroups/RG-SHOP"), true, false, true},
		"the cluster":              {deployed, az(id), true, false, true},
		"management group":         {deployed, az("/providers/Microsoft.Management/managementGroups/mg"), true, false, true},
		"other resource group":     {deployed, az("/subscriptions/s1/resourceGroups/rg-shop2"), false, false, true},
		"other subscription":       {deployed, az("/subscriptions/s2"), false, false, true},
		"excluded resource group":  {deployed, az("/subscriptions/s1", "/subscriptions/s1/resourceGroups/rg-shop"), false, false, true},
		"excluded elsewhere":       {deployed, az("/subscriptions/s1", "/subscriptions/s1/resourceGroups/rg-other"), true, false, true},
		"az for a declared":        {declared, az("/subscriptions/s1"), false, false, false},
		"module group":             {declared, tf("infra/policy.tf", ScopeResourceGroup, KnownString("rg-shop", Location{})), true, false, true},
		"module other group":       {declared, tf("infra/policy.tf", ScopeResourceGroup, KnownString("rg-tools", Location{})), false, false, true},
		"module unknown group":     {declared, tf("infra/policy.tf", ScopeResourceGroup, unknown), false, true, true},
		"module subscription":      {declared, tf("infra/policy.tf", ScopeSubscription, String{}), true, false, true},
		"module the cluster":       {declared, tf("infra/policy.tf", ScopeResource, KnownString("azurerm_kubernetes_cluster.main", Location{})), true, false, true},
		"module another resource":  {declared, tf("infra/policy.tf", ScopeResource, KnownString("azurerm_kubernetes_cluster.other", Location{})), false, false, true},
		"another module":           {declared, tf("other/policy.tf", ScopeSubscription, String{}), false, false, false},
		"a module for an az input": {deployed, tf("infra/policy.tf", ScopeSubscription, String{}), false, false, false},
	} {
		v := ClusterPolicy([]Subject{tc.a}, tc.c)
		if got := len(v.Assignments) == 1; got != tc.applies {
			t.Errorf("%s: applies %v, want %v", name, got, tc.applies)
		}
		if got := len(v.Unsure) == 1; got != tc.unsure {
			t.Errorf("%s: unsure %v, want %v", name, got, tc.unsure)
		}
		if v.Evidence != tc.related {
			t.Errorf("%s: evidence %v, want %v", name, v.Evidence, tc.related)
		}
	}
	// A live listing is evidence even when it found nothing; states count under the cluster.
	v := ClusterPolicy([]Subject{&PolicyListing{Target: id, StatesRead: true},
		&PolicyState{ResourceID: id + "/agentPools/x", ComplianceState: "NonCompliant"},
		&PolicyState{ResourceID: "/subscriptions/s1/resourcegroups/rg-other/x", ComplianceState: "NonCompliant"}}, deployed)
	if !v.Evidence || !v.StatesRead || len(v.States) != 1 || len(v.Assignments) != 0 {
		t.Errorf("listing: %+v", v)
	}
}
