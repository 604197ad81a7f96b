variable "cluster_name" {
  type = string
}

resource "azurerm_kubernetes_cluster" "good" {
  name = var.cluster_name
}
