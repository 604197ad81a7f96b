resource "azurerm_kubernetes_cluster" "good" {
  default_node_pool {
    enable_host_encryption  = false
    host_encryption_enabled = null
  }
}
