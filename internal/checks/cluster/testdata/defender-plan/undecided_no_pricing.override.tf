# The subscription's plan is managed elsewhere.
resource "azurerm_security_center_subscription_pricing" "containers" {
  count = 0
}
