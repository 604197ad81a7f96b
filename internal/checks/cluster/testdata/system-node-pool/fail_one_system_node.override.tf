resource "azurerm_kubernetes_cluster" "good" {
  default_node_pool {
    min_count  = 1
    node_count = 1
  }
}
