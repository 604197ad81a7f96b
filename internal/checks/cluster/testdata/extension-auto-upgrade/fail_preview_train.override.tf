resource "azurerm_kubernetes_cluster_extension" "backup" {
  release_train = "Preview"
}
