resource "azurerm_kubernetes_cluster_node_pool" "apps" {
  auto_scaling_enabled = null
}
