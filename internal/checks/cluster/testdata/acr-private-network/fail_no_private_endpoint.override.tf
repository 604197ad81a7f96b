resource "azurerm_private_endpoint" "acr" {
  count = 0
}
