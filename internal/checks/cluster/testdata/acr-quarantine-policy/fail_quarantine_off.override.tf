resource "azurerm_container_registry" "acr" {
  quarantine_policy_enabled = null
}
