# The channel comes from a variable without a value, and no window is set: whether one is
# needed is not known.
variable "upgrade_channel" {
  type = string
}

resource "azurerm_kubernetes_cluster" "good" {
  automatic_upgrade_channel = var.upgrade_channel

  dynamic "maintenance_window_auto_upgrade" {
    for_each = []
    content {}
  }
}
