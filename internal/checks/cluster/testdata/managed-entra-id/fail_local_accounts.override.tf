resource "azurerm_kubernetes_cluster" "good" {
  local_account_disabled = false
}
