variable "private_cluster" {
  type = bool
}

resource "azurerm_kubernetes_cluster" "good" {
  private_cluster_enabled = var.private_cluster
}
