resource "azurerm_kubernetes_cluster" "good" {
  key_management_service {
    key_vault_network_access = "Public"
  }
}
