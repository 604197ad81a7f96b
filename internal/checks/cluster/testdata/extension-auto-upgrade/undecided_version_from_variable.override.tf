# The pinned version comes from a variable without a value: whether it is pinned is not known.
variable "flux_version" {
  type = string
}

resource "azurerm_kubernetes_cluster_extension" "flux" {
  version = var.flux_version
}
