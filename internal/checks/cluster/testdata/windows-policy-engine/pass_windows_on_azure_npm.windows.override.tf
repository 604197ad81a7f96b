resource "azurerm_kubernetes_cluster" "good" {
  network_profile {
    network_policy     = "azure"
    network_data_plane = null
  }
}
