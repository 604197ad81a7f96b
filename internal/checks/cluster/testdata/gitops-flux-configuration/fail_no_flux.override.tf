resource "azurerm_kubernetes_cluster_extension" "flux" {
  count = 0
}

resource "azurerm_kubernetes_flux_configuration" "apps" {
  count = 0
}
