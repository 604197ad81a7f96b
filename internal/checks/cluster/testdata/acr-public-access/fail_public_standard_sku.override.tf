resource "azurerm_container_registry" "acr" {
  public_network_access_enabled = null
  sku                           = "Standard"
}

resource "azurerm_private_endpoint" "acr" {
  count = 0
}
