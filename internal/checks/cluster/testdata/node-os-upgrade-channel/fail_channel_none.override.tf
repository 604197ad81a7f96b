resource "azurerm_kubernetes_cluster" "good" {
  node_os_upgrade_channel = "None"
}
