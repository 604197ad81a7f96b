# A pinned version turns autoUpgradeMinorVersion off in azurerm.
resource "azurerm_kubernetes_cluster_extension" "flux" {
  version = "1.14.2"
}
