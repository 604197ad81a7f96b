resource "azurerm_kubernetes_cluster_node_pool" "apps" {
  auto_scaling_enabled = false
  node_count           = 2
  vm_size              = "Standard_D2s_v5"
}
