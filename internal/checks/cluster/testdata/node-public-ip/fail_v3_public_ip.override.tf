resource "azurerm_kubernetes_cluster_node_pool" "apps" {
  enable_node_public_ip = true
}
