resource "azurerm_security_center_subscription_pricing" "containers" {
  tier = "Free"
}
