# Assigned on the cluster itself; the parameters written as a JSON string.
resource "azurerm_resource_policy_assignment" "allowed_images" {
  name                 = "allowed-images"
  resource_id          = azurerm_kubernetes_cluster.good.id
  policy_definition_id = "/providers/Microsoft.Authorization/policyDefinitions/febd0533-8e55-448f-b837-bd0e06f16469"
  parameters           = <<PARAMS
{
  "effect": {"value": "deny"},
  "allowedContainerImagesRegex": {"value": "^shopacr\\.azurecr\\.io/.+$"}
}
PARAMS
}
