resource "azurerm_kubernetes_cluster" "good" {
  tags = null
}
