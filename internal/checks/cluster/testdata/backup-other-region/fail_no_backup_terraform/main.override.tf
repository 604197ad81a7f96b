resource "azurerm_kubernetes_cluster_extension" "backup" {
  count = 0
}

resource "azurerm_data_protection_backup_instance_kubernetes_cluster" "aks" {
  count = 0
}
