resource "azurerm_kubernetes_cluster" "good" {
  private_cluster_enabled = null
}
