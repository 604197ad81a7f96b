resource "azurerm_container_registry" "acr" {
  anonymous_pull_enabled = true
}
