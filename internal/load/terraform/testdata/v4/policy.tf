resource "azurerm_subscription_policy_assignment" "pod_security" {
  name                 = "pod-security-baseline"
  subscription_id      = "/subscriptions/00000000-0000-0000-0000-000000000001"
  policy_definition_id = "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d"
  parameters           = jsonencode({ effect = { value = "Deny" } })
}

resource "azurerm_resource_policy_assignment" "allowed_images" {
  name                 = "allowed-images"
  resource_id          = azurerm_kubernetes_cluster.good.id
  policy_definition_id = "/providers/Microsoft.Authorization/policyDefinitions/febd0533-8e55-448f-b837-bd0e06f16469"
  parameters = jsonencode({
    effect                      = { value = "Deny" }
    allowedContainerImagesRegex = { value = "^acrshop\\.azurecr\\.io/.+$" }
  })
}
