variable "apps_max_count" {
  type = number
}

resource "azurerm_kubernetes_cluster_node_pool" "apps" {
  max_count = var.apps_max_count
}
