locals {
  app = "shop"
}

resource "azurerm_kubernetes_cluster" "we" {
  name     = "aks-shop-we"
  location = "westeurope"
  tags     = { app = local.app }
}

resource "azurerm_kubernetes_cluster" "ne" {
  name     = "aks-shop-ne"
  location = "northeurope"
  tags     = { app = local.app }
}

resource "azurerm_public_ip" "we" {
  name              = "pip-shop-ingress"
  location          = "westeurope"
  domain_name_label = "shop-we"
}

resource "azurerm_public_ip" "ne" {
  name              = "pip-shop-ingress"
  location          = "northeurope"
  domain_name_label = "shop-ne"
}

resource "azurerm_cdn_frontdoor_profile" "shop" {
  name     = "afd-shop"
  sku_name = "Standard_AzureFrontDoor"
}

resource "azurerm_cdn_frontdoor_origin_group" "shop" {
  name                     = "shop"
  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.shop.id
  load_balancing {}
}

resource "azurerm_cdn_frontdoor_origin" "we" {
  name                           = "we"
  cdn_frontdoor_origin_group_id  = azurerm_cdn_frontdoor_origin_group.shop.id
  host_name                      = azurerm_public_ip.we.fqdn
  certificate_name_check_enabled = true
}

resource "azurerm_cdn_frontdoor_origin" "ne" {
  name                           = "ne"
  cdn_frontdoor_origin_group_id  = azurerm_cdn_frontdoor_origin_group.shop.id
  host_name                      = azurerm_public_ip.ne.fqdn
  certificate_name_check_enabled = true
}
