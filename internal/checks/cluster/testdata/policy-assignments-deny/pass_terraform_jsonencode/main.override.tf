resource "azurerm_resource_group" "shop" {
  name     = "rg-shop"
  location = "westeurope"
}

# The baseline initiative at the cluster's resource group, denying.
resource "azurerm_resource_group_policy_assignment" "pod_security" {
  name                 = "pod-security-baseline"
  resource_group_id    = azurerm_resource_group.shop.id
  policy_definition_id = "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d"
  parameters = jsonencode({
    effect = { value = "Deny" }
  })
}
