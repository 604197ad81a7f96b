resource "azurerm_kubernetes_cluster_node_pool" "apps" {
  max_count = 3
}
