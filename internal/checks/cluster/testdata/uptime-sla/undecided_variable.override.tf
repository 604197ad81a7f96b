variable "sku_tier" {
  type = string
}

resource "azurerm_kubernetes_cluster" "good" {
  sku_tier = var.sku_tier
}
