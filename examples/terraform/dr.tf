# The shop's disaster-recovery cluster, in a second region, and the Traffic Manager profile
# that sends the shop's users to the primary. The profile has no endpoint for the DR region
# yet: if West Europe fails, nothing moves the traffic to North Europe
# (multi-region-traffic-routing and dr-traffic-failover report it).

resource "azurerm_kubernetes_cluster" "shop_dr" {
  name                              = "aks-shop-dr"
  location                          = "northeurope"
  resource_group_name               = azurerm_resource_group.shop.name
  dns_prefix                        = "aks-shop-dr"
  kubernetes_version                = var.kubernetes_version
  sku_tier                          = "Standard"
  local_account_disabled            = true
  role_based_access_control_enabled = true
  automatic_upgrade_channel         = "patch"
  node_os_upgrade_channel           = "NodeImage"
  azure_policy_enabled              = true
  workload_identity_enabled         = true
  oidc_issuer_enabled               = true
  image_cleaner_enabled             = true
  image_cleaner_interval_hours      = 48
  tags                              = local.tags

  api_server_access_profile {
    authorized_ip_ranges = var.api_allowed_ranges
  }

  default_node_pool {
    name                    = "system"
    vm_size                 = "Standard_D4ds_v5"
    auto_scaling_enabled    = true
    node_count              = 3
    min_count               = 3
    max_count               = 5
    max_pods                = 50
    zones                   = ["1", "2", "3"]
    host_encryption_enabled = true
    os_disk_type            = "Ephemeral"
    os_sku                  = "AzureLinux"
    orchestrator_version    = var.kubernetes_version
    tags                    = local.tags

    upgrade_settings {
      max_surge                = "33%"
      drain_timeout_in_minutes = 30
    }
  }

  identity {
    type = "SystemAssigned"
  }

  azure_active_directory_role_based_access_control {
    azure_rbac_enabled     = true
    admin_group_object_ids = ["5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"]
  }

  network_profile {
    network_plugin      = "azure"
    network_plugin_mode = "overlay"
    network_policy      = "cilium"
    network_data_plane  = "cilium"
    load_balancer_sku   = "standard"
    pod_cidr            = "10.245.0.0/16"
    service_cidr        = "10.1.0.0/16"
    dns_service_ip      = "10.1.0.10"
  }

  microsoft_defender {
    log_analytics_workspace_id = azurerm_log_analytics_workspace.shop.id
  }

  oms_agent {
    log_analytics_workspace_id      = azurerm_log_analytics_workspace.shop.id
    msi_auth_for_monitoring_enabled = true
  }

  key_vault_secrets_provider {
    secret_rotation_enabled = true
  }

  monitor_metrics {}

  maintenance_window_auto_upgrade {
    frequency   = "Weekly"
    interval    = 1
    duration    = 4
    day_of_week = "Sunday"
    start_time  = "03:00"
    utc_offset  = "+01:00"
  }
}

resource "azurerm_traffic_manager_profile" "shop" {
  name                   = "tm-shop"
  resource_group_name    = azurerm_resource_group.shop.name
  traffic_routing_method = "Priority"
  tags                   = local.tags

  dns_config {
    relative_name = "contoso-shop"
    ttl           = 60
  }

  monitor_config {
    protocol = "HTTPS"
    port     = 443
    path     = "/healthz"
  }
}

resource "azurerm_traffic_manager_external_endpoint" "primary" {
  name              = "primary"
  profile_id        = azurerm_traffic_manager_profile.shop.id
  target            = "shop.contoso.example"
  endpoint_location = var.location
  priority          = 1
}
