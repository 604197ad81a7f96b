resource "azurerm_kubernetes_cluster" "good" {
  oidc_issuer_enabled = false
}
