resource "azurerm_kubernetes_cluster_node_pool" "apps" {
  fips_enabled = null
}
