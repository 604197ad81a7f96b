# The module as it is: the cluster runs as declared.
resource "azurerm_kubernetes_cluster" "good" {
  sku_tier = "Standard"
}
