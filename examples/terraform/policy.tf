# Azure Policy for the shop's clusters. The platform team assigns the allowed images policy at
# the shop's resource group in deny effect: admission refuses images from anywhere but the
# shop's registry (allowed-images-policy-deny passes). The pod security baseline initiative is
# assigned at the subscription, but still in audit effect since the migration began: it reports
# privileged pods and blocks none (policy-assignments-deny reports it).
# Built-in IDs: internal/checks/cluster/policy_assignments.go says where each was verified.

data "azurerm_subscription" "current" {}

resource "azurerm_resource_group_policy_assignment" "allowed_images" {
  name                 = "shop-allowed-images"
  display_name         = "Shop containers only from contosoacr"
  resource_group_id    = azurerm_resource_group.shop.id
  policy_definition_id = "/providers/Microsoft.Authorization/policyDefinitions/febd0533-8e55-448f-b837-bd0e06f16469"
  parameters = jsonencode({
    effect                      = { value = "Deny" }
    allowedContainerImagesRegex = { value = "^contosoacr\\.azurecr\\.io/.+$" }
  })
}

resource "azurerm_subscription_policy_assignment" "pod_security_baseline" {
  name                 = "pod-security-baseline"
  display_name         = "Kubernetes pod security baseline (audit during migration)"
  subscription_id      = data.azurerm_subscription.current.id
  policy_definition_id = "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d"
  parameters = jsonencode({
    effect = { value = "Audit" }
  })
}
