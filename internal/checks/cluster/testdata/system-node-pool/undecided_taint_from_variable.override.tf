variable "critical_addons_only" {
  type = bool
}

resource "azurerm_kubernetes_cluster" "good" {
  default_node_pool {
    only_critical_addons_enabled = var.critical_addons_only
  }
}
