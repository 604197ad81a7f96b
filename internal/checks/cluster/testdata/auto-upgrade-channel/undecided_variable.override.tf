variable "upgrade_channel" {
  type = string
}

resource "azurerm_kubernetes_cluster" "good" {
  automatic_upgrade_channel = var.upgrade_channel
}
