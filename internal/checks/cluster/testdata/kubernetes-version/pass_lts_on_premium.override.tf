locals {
  kubernetes_version = "1.32.9"
}

resource "azurerm_kubernetes_cluster" "good" {
  sku_tier     = "Premium"
  support_plan = "AKSLongTermSupport"
}
