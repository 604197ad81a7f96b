variable "policy_effect" {
  type = string
}

resource "azurerm_subscription_policy_assignment" "pod_security" {
  name                 = "pod-security-baseline"
  subscription_id      = "/subscriptions/00000000-0000-0000-0000-000000000001"
  policy_definition_id = "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d"
  parameters           = jsonencode({ effect = { value = var.policy_effect } })
}
