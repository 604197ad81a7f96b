resource "azurerm_kubernetes_cluster" "good" {
  default_node_pool {
    zones = null
  }
}
