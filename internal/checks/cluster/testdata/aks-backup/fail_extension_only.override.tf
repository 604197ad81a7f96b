# The extension is installed, but no Backup vault protects the cluster: no backup is taken.
resource "azurerm_data_protection_backup_instance_kubernetes_cluster" "aks" {
  count = 0
}
