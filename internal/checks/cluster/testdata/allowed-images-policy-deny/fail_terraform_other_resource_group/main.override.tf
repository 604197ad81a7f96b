resource "azurerm_resource_group" "tools" {
  name     = "rg-tools"
  location = "westeurope"
}

# Denies at another resource group than the cluster's.
resource "azurerm_resource_group_policy_assignment" "allowed_images" {
  name                 = "allowed-images"
  resource_group_id    = azurerm_resource_group.tools.id
  policy_definition_id = "/providers/Microsoft.Authorization/policyDefinitions/febd0533-8e55-448f-b837-bd0e06f16469"
  parameters = jsonencode({
    effect                      = { value = "Deny" }
    allowedContainerImagesRegex = { value = "^shopacr\\.azurecr\\.io/.+$" }
  })
}
