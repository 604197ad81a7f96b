variable "network_policy" {
  type = string
}

resource "azurerm_kubernetes_cluster" "good" {
  network_profile {
    network_plugin      = "azure"
    network_plugin_mode = "overlay"
    network_policy      = var.network_policy
    network_data_plane  = "azure"
    outbound_type       = "userDefinedRouting"
  }
}
