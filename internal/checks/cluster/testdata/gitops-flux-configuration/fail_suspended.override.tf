resource "azurerm_kubernetes_flux_configuration" "apps" {
  suspended = true
}
