resource "azurerm_kubernetes_cluster" "good" {
  network_profile {
    network_plugin      = "kubenet"
    network_plugin_mode = null
  }
}
