resource "azurerm_kubernetes_cluster" "good" {
  key_vault_secrets_provider {
    secret_rotation_enabled = false
  }
}
