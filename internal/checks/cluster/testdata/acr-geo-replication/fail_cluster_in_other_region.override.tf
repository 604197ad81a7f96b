resource "azurerm_kubernetes_cluster" "good" {
  location = "northeurope"
}
