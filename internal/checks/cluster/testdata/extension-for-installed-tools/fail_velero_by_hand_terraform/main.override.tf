# No AKS Backup extension: Velero is installed from its Helm chart instead.
resource "azurerm_kubernetes_cluster_extension" "backup" {
  count = 0
}
