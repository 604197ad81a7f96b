resource "azurerm_kubernetes_cluster_node_pool" "apps" {
  vm_size = "Standard_D2s_v5"
}
