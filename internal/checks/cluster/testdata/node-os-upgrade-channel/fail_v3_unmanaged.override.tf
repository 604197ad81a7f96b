resource "azurerm_kubernetes_cluster" "good" {
  node_os_channel_upgrade = "Unmanaged"
  node_os_upgrade_channel = null
}
