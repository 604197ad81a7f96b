resource "azurerm_kubernetes_cluster" "good" {
  automatic_channel_upgrade = "node-image"
  automatic_upgrade_channel = null
}
