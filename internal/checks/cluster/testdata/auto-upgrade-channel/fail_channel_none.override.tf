resource "azurerm_kubernetes_cluster" "good" {
  automatic_upgrade_channel = "none"
}
