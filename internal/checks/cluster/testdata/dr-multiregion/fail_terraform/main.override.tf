resource "azurerm_kubernetes_cluster" "good" {
  tags = {
    app   = "shop"
    owner = "platform"
  }
}
