resource "azurerm_kubernetes_cluster" "good" {
  dynamic "key_vault_secrets_provider" {
    for_each = []
    content {}
  }
}
