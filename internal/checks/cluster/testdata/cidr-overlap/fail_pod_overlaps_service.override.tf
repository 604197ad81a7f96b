resource "azurerm_kubernetes_cluster" "good" {
  network_profile {
    pod_cidr     = "10.0.128.0/17"
    service_cidr = "10.0.0.0/16"
  }
}
