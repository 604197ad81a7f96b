resource "azurerm_kubernetes_cluster" "good" {
  network_profile {
    outbound_type = null
  }
}
