resource "azurerm_kubernetes_cluster_node_pool" "apps" {
  dynamic "upgrade_settings" {
    for_each = []
    content {}
  }
}
