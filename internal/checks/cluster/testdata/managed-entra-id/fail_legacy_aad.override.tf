resource "azurerm_kubernetes_cluster" "good" {
  azure_active_directory_role_based_access_control {
    client_app_id = "66666666-6666-6666-6666-666666666666"
    managed       = false
    server_app_id = "55555555-5555-5555-5555-555555555555"
  }
}
