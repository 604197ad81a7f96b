resource "azurerm_kubernetes_cluster_node_pool" "apps" {
  os_disk_type = "Managed"
}
