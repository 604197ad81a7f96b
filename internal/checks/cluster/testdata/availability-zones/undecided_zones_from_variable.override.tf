# The user pool's zones come from a variable without a value; the system pool spans three.
variable "app_zones" {
  type = list(string)
}

resource "azurerm_kubernetes_cluster_node_pool" "apps" {
  zones = var.app_zones
}
