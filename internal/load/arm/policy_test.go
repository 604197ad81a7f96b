package arm

import (
	"testing"

	"github.com/akscheck/akscheck/internal/subject"
)

// Policy assignments as REST returns them, as az prints them and as templates declare them
// (at the deployment's scope, or on the cluster through the scope property), and policy
// states as Policy Insights and az policy state list return them.
func TestPolicyAssignments(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		doc string
		// want are name|scope kind|scope|scope name|effect state:value|enforcement|notScopes of each assignment.
		want []string
	}{
		"rest list": {`{"value": [{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Authorization/policyAssignments/a", "name": "a",
			"type": "Microsoft.Authorization/policyAssignments", "properties": {"scope": "/subscriptions/s/resourceGroups/rg",
			"policyDefinitionId": "/providers/Microsoft.Authorization/policyDefinitions/febd0533-8e55-448f-b837-bd0e06f16469",
			"parameters": {"effect": {"value": "deny"}}, "enforcementMode": "Default", "notScopes": ["/subscriptions/s/resourceGroups/rg/providers/x/y/z"]}}], "nextLink": null}`,
			[]string{"a|resource group|/subscriptions/s/resourceGroups/rg||known:deny|Default|1"}},
		"az flat, scope from the ID": {`[{"id": "/providers/Microsoft.Management/managementGroups/mg/providers/Microsoft.Authorization/policyAssignments/b", "name": "b",
			"type": "Microsoft.Authorization/policyAssignments", "policyDefinitionId": "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d",
			"enforcementMode": "DoNotEnforce"}]`,
			[]string{"b|management group|/providers/Microsoft.Management/managementGroups/mg||absent:|DoNotEnforce|0"}},
		"subscription template": {`{"$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#", "contentVersion": "1.0.0.0",
			"parameters": {"effect": {"type": "string"}},
			"resources": [{"type": "Microsoft.Authorization/policyAssignments", "apiVersion": "2023-04-01", "name": "c",
			  "properties": {"policyDefinitionId": "/providers/Microsoft.Authorization/policyDefinitions/95edb821-ddaf-4404-9732-666045e056b4",
			  "parameters": {"effect": {"value": "[parameters('effect')]"}}}}]}`,
			[]string{"c|subscription|||unknown:||0"}},
		"template on the cluster": {`{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
			"resources": [{"type": "Microsoft.Authorization/policyAssignments", "apiVersion": "2023-04-01", "name": "d",
			  "scope": "[resourceId('Microsoft.ContainerService/managedClusters', 'aks-shop')]",
			  "properties": {"policyDefinitionId": "/providers/Microsoft.Authorization/policyDefinitions/95edb821-ddaf-4404-9732-666045e056b4",
			  "parameters": {"effect": {"value": "Audit"}}, "enforcementMode": "Default"}}]}`,
			[]string{"d|resource|/providers/Microsoft.ContainerService/managedClusters/aks-shop|aks-shop|known:Audit|Default|0"}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := LoadBytes("f.json", []byte(tc.doc), Options{})
			if len(s.Errors) > 0 {
				t.Fatalf("errors: %+v", s.Errors)
			}
			var got []string
			for _, o := range s.Others {
				a, ok := o.(*subject.PolicyAssignment)
				if !ok {
					continue
				}
				state := map[subject.State]string{subject.Absent: "absent", subject.Unknown: "unknown", subject.Known: "known"}[a.Effect.State]
				got = append(got, a.Name+"|"+a.ScopeKind+"|"+a.Scope.V+"|"+a.ScopeName.V+"|"+state+":"+a.Effect.V+"|"+a.EnforcementMode.V+"|"+string(rune('0'+len(a.NotScopes.V))))
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("got %q, want %q", got[i], tc.want[i])
				}
			}
		})
	}
}

func TestPolicyStates(t *testing.T) {
	t.Parallel()
	doc := `{"@odata.context": "https://management.azure.com/x/$metadata#latest", "@odata.count": 2, "value": [
	  {"@odata.id": null, "resourceId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks",
	   "policyAssignmentId": "/subscriptions/s/providers/Microsoft.Authorization/policyAssignments/psb", "policyAssignmentName": "psb",
	   "policyDefinitionId": "/providers/Microsoft.Authorization/policyDefinitions/95edb821-ddaf-4404-9732-666045e056b4",
	   "policyDefinitionReferenceId": "NoPrivilegedContainers", "complianceState": "NonCompliant"},
	  {"resourceId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks",
	   "policyAssignmentId": "/subscriptions/s/providers/Microsoft.Authorization/policyAssignments/img", "isCompliant": true}]}`
	if k := Sniff([]byte(doc)); k != Resources {
		t.Fatalf("a policy state list is sniffed as %v", k)
	}
	s := LoadBytes("states.json", []byte(doc), Options{})
	var got []*subject.PolicyState
	for _, o := range s.Others {
		if st, ok := o.(*subject.PolicyState); ok {
			got = append(got, st)
		}
	}
	if len(got) != 2 || got[0].ComplianceState != "NonCompliant" || got[0].DefinitionReferenceID != "NoPrivilegedContainers" ||
		got[0].Source.Line != 2 || got[1].ComplianceState != "Compliant" {
		t.Fatalf("states: %+v", got)
	}
}
