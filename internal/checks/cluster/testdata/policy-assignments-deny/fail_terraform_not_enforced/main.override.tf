# Deny, but switched to DoNotEnforce while the team tries it out.
resource "azurerm_subscription_policy_assignment" "no_privileged" {
  name                 = "no-privileged-containers"
  subscription_id      = "/subscriptions/00000000-0000-0000-0000-000000000001"
  policy_definition_id = "/providers/Microsoft.Authorization/policyDefinitions/95edb821-ddaf-4404-9732-666045e056b4"
  parameters           = jsonencode({ effect = { value = "Deny" } })
  enforce              = false
}
