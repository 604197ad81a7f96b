resource "azurerm_kubernetes_cluster_node_pool" "apps" {
  tags = null
}
