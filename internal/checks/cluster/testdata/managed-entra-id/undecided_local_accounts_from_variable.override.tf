variable "local_account_disabled" {
  type = bool
}

resource "azurerm_kubernetes_cluster" "good" {
  local_account_disabled = var.local_account_disabled
}
