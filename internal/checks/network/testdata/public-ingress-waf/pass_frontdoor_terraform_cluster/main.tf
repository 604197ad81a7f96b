resource "azurerm_cdn_frontdoor_profile" "shop" {
  name                = "afd-shop"
  resource_group_name = "rg-shop"
  sku_name            = "Premium_AzureFrontDoor"
}

resource "azurerm_cdn_frontdoor_firewall_policy" "shop" {
  name                = "wafshop"
  resource_group_name = "rg-shop"
  sku_name            = azurerm_cdn_frontdoor_profile.shop.sku_name
  mode                = "Prevention"

  managed_rule {
    type    = "Microsoft_DefaultRuleSet"
    version = "2.1"
    action  = "Block"
  }
}
