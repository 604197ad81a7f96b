resource "azurerm_kubernetes_cluster" "good" {
  azure_policy_enabled = false
}
