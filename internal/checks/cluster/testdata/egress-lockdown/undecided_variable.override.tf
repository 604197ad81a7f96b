variable "outbound_type" {
  type = string
}

resource "azurerm_kubernetes_cluster" "good" {
  network_profile {
    outbound_type = var.outbound_type
  }
}
