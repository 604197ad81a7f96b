package terraform

import (
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/subject"
)

// Policy assignments of every azurerm type: the scope (an ID, or the resource group or
// resource a reference names), the definition, the effect read from the parameters JSON
// (jsonencode, a heredoc, an unknown value), enforce and not_scopes.
func TestPolicyAssignments(t *testing.T) {
	t.Parallel()
	src := `
variable "effect" {
  type = string
}
resource "azurerm_resource_group" "shop" {
  name     = "rg-shop"
  location = "westeurope"
}
resource "azurerm_kubernetes_cluster" "main" {
  name                = "aks-shop"
  resource_group_name = azurerm_resource_group.shop.name
}
resource "azurerm_resource_group_policy_assignment" "rg" {
  name                 = "baseline"
  resource_group_id    = azurerm_resource_group.shop.id
  policy_definition_id = "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d"
  parameters           = jsonencode({ effect = { value = "Deny" }, excludedNamespaces = { value = ["kube-system"] } })
}
resource "azurerm_subscription_policy_assignment" "sub" {
  name                 = "images"
  subscription_id      = "/subscriptions/00000000-0000-0000-0000-000000000001"
  policy_definition_id = "/providers/Microsoft.Authorization/policyDefinitions/febd0533-8e55-448f-b837-bd0e06f16469"
  parameters           = jsonencode({ effect = { value = var.effect } })
  enforce              = false
  not_scopes           = ["/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-sandbox"]
}
resource "azurerm_resource_policy_assignment" "res" {
  name                 = "nopriv"
  resource_id          = azurerm_kubernetes_cluster.main.id
  policy_definition_id = "/providers/Microsoft.Authorization/policyDefinitions/95edb821-ddaf-4404-9732-666045e056b4"
  parameters           = <<JSON
{"Effect": {"Value": "audit"}}
JSON
}
resource "azurerm_management_group_policy_assignment" "mg" {
  name                 = "restricted"
  management_group_id  = "/providers/Microsoft.Management/managementGroups/mg-prod"
  policy_definition_id = "/providers/Microsoft.Authorization/policySetDefinitions/42b8ef37-b724-4e24-bbc8-7a7708edfe00"
}
resource "azurerm_policy_assignment" "old" {
  name                 = "old"
  scope                = azurerm_resource_group.shop.id
  policy_definition_id = "/providers/Microsoft.Authorization/policyDefinitions/95edb821-ddaf-4404-9732-666045e056b4"
  parameters           = "{\"effect\": {\"value\": 1}}"
  enforcement_mode     = true
}
`
	s := LoadModule([]File{{Path: "main.tf", Data: []byte(src)}}, Options{})
	got := map[string]*subject.PolicyAssignment{}
	for _, o := range s.Others {
		if a, ok := o.(*subject.PolicyAssignment); ok {
			got[a.Name] = a
		}
	}
	if len(got) != 5 {
		t.Fatalf("want 5 assignments, got %d: %+v", len(got), s.Others)
	}
	rg := got["azurerm_resource_group_policy_assignment.rg"]
	if rg.ScopeKind != subject.ScopeResourceGroup || !rg.ScopeName.Is("rg-shop") || !rg.Scope.IsUnknown() ||
		!rg.Effect.Is("Deny") || !rg.EnforcementMode.IsAbsent() || subject.GUIDOf(rg.DefinitionID.V) != "a8640138-9b0a-4a28-b8cb-1666c838647d" {
		t.Errorf("resource group assignment: %+v", rg)
	}
	if rg.Effect.Loc.Line != 17 || rg.Effect.Loc.Path != "parameters" {
		t.Errorf("effect located at %+v, want parameters at line 17", rg.Effect.Loc)
	}
	sub := got["azurerm_subscription_policy_assignment.sub"]
	if sub.ScopeKind != subject.ScopeSubscription || !sub.Scope.IsKnown() || !sub.Effect.IsUnknown() ||
		!sub.EnforcementMode.Is("DoNotEnforce") || !sub.NotScopes.Contains("/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-sandbox") {
		t.Errorf("subscription assignment (an unknown effect is unknown, not absent): %+v", sub)
	}
	res := got["azurerm_resource_policy_assignment.res"]
	if res.ScopeKind != subject.ScopeResource || !res.ScopeName.Is("azurerm_kubernetes_cluster.main") || !res.Effect.Is("audit") {
		t.Errorf("resource assignment (heredoc parameters, keys in any case): %+v", res)
	}
	mg := got["azurerm_management_group_policy_assignment.mg"]
	if mg.ScopeKind != subject.ScopeManagementGroup || !mg.Effect.IsAbsent() {
		t.Errorf("management group assignment: %+v", mg)
	}
	old := got["azurerm_policy_assignment.old"]
	if old.ScopeKind != subject.ScopeResourceGroup || !old.ScopeName.Is("rg-shop") || !old.EnforcementMode.Is("Default") || !old.Effect.IsUnknown() {
		t.Errorf("azurerm v2 assignment: %+v", old)
	}
	if len(s.Errors) != 1 || !strings.Contains(s.Errors[0].Message, "not a string") || s.Errors[0].Line != 44 {
		t.Errorf("want the effect that is no string as an error at line 44, got %+v", s.Errors)
	}
}

func TestParseEffect(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]struct {
		effect string
		found  bool
		err    bool
	}{
		`{"effect": {"value": "Deny"}}`:           {"Deny", true, false},
		`{"EFFECT": {"VALUE": "audit"}, "x": {}}`: {"audit", true, false},
		`{"excludedNamespaces": {"value": []}}`:   {"", false, false},
		`{"effect": {}}`:                          {"", false, false},
		``:                                        {"", false, false},
		`null`:                                    {"", false, false},
		`[]`:                                      {"", false, true},
		`{"effect": "Deny"}`:                      {"", false, true},
		`{"effect": {"value": true}}`:             {"", false, true},
		`{"effect": `:                             {"", false, true},
	} {
		effect, found, err := ParseEffect([]byte(in))
		if effect != want.effect || found != want.found || (err != nil) != want.err {
			t.Errorf("ParseEffect(%q) = %q, %v, %v; want %+v", in, effect, found, err, want)
		}
	}
}

// FuzzParseEffect feeds the parameters decoder arbitrary bytes: it never panics, and what it
// finds is a string it read.
func FuzzParseEffect(f *testing.F) {
	for _, s := range []string{`{"effect": {"value": "Deny"}}`, `{"Effect": {"Value": "audit"}, "allowedContainerImagesRegex": {"value": "^a\\.io/.+$"}}`,
		`{"effect": {"value": 1}}`, `[]`, `null`, `{"effect": `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		effect, found, err := ParseEffect(data)
		if err != nil && found {
			t.Fatalf("an error and a value: %q %v", effect, err)
		}
		if !found && effect != "" {
			t.Fatalf("a value %q not found", effect)
		}
	})
}
