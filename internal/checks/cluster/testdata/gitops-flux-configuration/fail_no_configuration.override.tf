# The extension is installed, but nothing points it at a repository.
resource "azurerm_kubernetes_flux_configuration" "apps" {
  count = 0
}
