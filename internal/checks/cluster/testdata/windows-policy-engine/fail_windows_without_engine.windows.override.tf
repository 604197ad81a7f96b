resource "azurerm_kubernetes_cluster" "good" {
  network_profile {
    network_policy     = null
    network_data_plane = null
  }
}
