# A Windows node pool, for the checks of Windows nodes.
resource "azurerm_kubernetes_cluster_node_pool" "win" {
  name                  = "win22"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.good.id
  vm_size               = "Standard_D4s_v5"
  os_type               = "Windows"
  os_sku                = "Windows2022"
  auto_scaling_enabled  = true
  min_count             = 2
  max_count             = 4
  zones                 = ["1", "2", "3"]
  tags                  = var.tags

  upgrade_settings {
    max_surge = "33%"
  }
}
