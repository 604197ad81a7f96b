resource "azurerm_container_registry" "acr" {
  tags = null
}
