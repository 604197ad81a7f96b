resource "azurerm_kubernetes_cluster" "good" {
  sku_tier = null
}
