resource "azurerm_kubernetes_cluster" "good" {
  network_profile {
    network_data_plane = null
    network_policy     = null
  }
}
