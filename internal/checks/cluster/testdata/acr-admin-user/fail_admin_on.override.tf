resource "azurerm_container_registry" "acr" {
  admin_enabled = true
}
