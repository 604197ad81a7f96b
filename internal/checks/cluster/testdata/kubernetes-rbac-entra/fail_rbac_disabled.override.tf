resource "azurerm_kubernetes_cluster" "good" {
  role_based_access_control_enabled = false
}
