resource "azurerm_kubernetes_cluster" "good" {
  azure_active_directory_role_based_access_control {
    admin_group_object_ids = null
    azure_rbac_enabled     = false
  }
}
