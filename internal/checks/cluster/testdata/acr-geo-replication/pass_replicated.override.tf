resource "azurerm_kubernetes_cluster" "good" {
  location = "northeurope"
}

resource "azurerm_container_registry" "acr" {
  georeplications {
    location                = "northeurope"
    zone_redundancy_enabled = true
  }
}
