variable "node_public_ip" {
  type = bool
}

resource "azurerm_kubernetes_cluster_node_pool" "apps" {
  node_public_ip_enabled = var.node_public_ip
}
