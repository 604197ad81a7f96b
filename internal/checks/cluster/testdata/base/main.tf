terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.0"
    }
  }
}

variable "location" {
  type    = string
  default = "westeurope"
}

variable "tags" {
  type = map(string)
  default = {
    env   = "prod"
    owner = "platform"
  }
}

locals {
  kubernetes_version = "1.36.2"
}

resource "azurerm_log_analytics_workspace" "main" {
  name                = "log-shop"
  location            = var.location
  resource_group_name = "rg-shop"
  sku                 = "PerGB2018"
}

resource "azurerm_kubernetes_cluster" "good" {
  name                              = "aks-good"
  location                          = var.location
  resource_group_name               = "rg-shop"
  dns_prefix                        = "aks-good"
  kubernetes_version                = local.kubernetes_version
  sku_tier                          = "Standard"
  private_cluster_enabled           = true
  local_account_disabled            = true
  role_based_access_control_enabled = true
  automatic_upgrade_channel         = "stable"
  node_os_upgrade_channel           = "NodeImage"
  azure_policy_enabled              = true
  workload_identity_enabled         = true
  oidc_issuer_enabled               = true
  disk_encryption_set_id            = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-shop/providers/Microsoft.Compute/diskEncryptionSets/des-shop"
  tags                              = var.tags

  default_node_pool {
    name                         = "system"
    vm_size                      = "Standard_D4s_v5"
    auto_scaling_enabled         = true
    node_count                   = 3
    min_count                    = 3
    max_count                    = 6
    zones                        = ["1", "2", "3"]
    only_critical_addons_enabled = true
    fips_enabled                 = true
    host_encryption_enabled      = true
    os_disk_type                 = "Ephemeral"
    orchestrator_version         = local.kubernetes_version
    tags                         = var.tags

    upgrade_settings {
      max_surge = "33%"
    }
  }

  identity {
    type = "SystemAssigned"
  }

  azure_active_directory_role_based_access_control {
    azure_rbac_enabled     = true
    admin_group_object_ids = ["33333333-3333-3333-3333-333333333333"]
  }

  network_profile {
    network_plugin      = "azure"
    network_plugin_mode = "overlay"
    network_policy      = "cilium"
    network_data_plane  = "cilium"
    outbound_type       = "userDefinedRouting"
  }

  microsoft_defender {
    log_analytics_workspace_id = azurerm_log_analytics_workspace.main.id
  }

  key_management_service {
    key_vault_key_id         = "https://kv-shop.vault.azure.net/keys/etcd/0123456789abcdef"
    key_vault_network_access = "Private"
  }

  oms_agent {
    log_analytics_workspace_id      = azurerm_log_analytics_workspace.main.id
    msi_auth_for_monitoring_enabled = true
  }

  key_vault_secrets_provider {
    secret_rotation_enabled  = true
    secret_rotation_interval = "2m"
  }

  monitor_metrics {}

  maintenance_window_auto_upgrade {
    frequency   = "Weekly"
    interval    = 1
    duration    = 4
    day_of_week = "Sunday"
    start_time  = "01:00"
    utc_offset  = "+01:00"
  }

  maintenance_window_node_os {
    frequency   = "Weekly"
    interval    = 1
    duration    = 4
    day_of_week = "Saturday"
    start_time  = "01:00"
    utc_offset  = "+01:00"
  }
}

resource "azurerm_kubernetes_cluster_node_pool" "apps" {
  name                    = "apps"
  kubernetes_cluster_id   = azurerm_kubernetes_cluster.good.id
  vm_size                 = "Standard_D4s_v5"
  mode                    = "User"
  auto_scaling_enabled    = true
  node_count              = 3
  min_count               = 3
  max_count               = 10
  zones                   = ["1", "2", "3"]
  fips_enabled            = true
  host_encryption_enabled = true
  os_disk_type            = "Ephemeral"
  orchestrator_version    = local.kubernetes_version
  tags                    = var.tags

  upgrade_settings {
    max_surge = "33%"
  }
}

resource "azurerm_monitor_diagnostic_setting" "aks" {
  name                       = "aks-control-plane"
  target_resource_id         = azurerm_kubernetes_cluster.good.id
  log_analytics_workspace_id = azurerm_log_analytics_workspace.main.id

  enabled_log {
    category = "kube-apiserver"
  }
  enabled_log {
    category = "kube-audit-admin"
  }
  enabled_log {
    category = "kube-controller-manager"
  }
  enabled_log {
    category = "kube-scheduler"
  }
  enabled_log {
    category = "cluster-autoscaler"
  }
  enabled_log {
    category = "guard"
  }
}

resource "azurerm_security_center_subscription_pricing" "containers" {
  tier          = "Standard"
  resource_type = "Containers"
}

resource "azurerm_container_registry" "acr" {
  name                          = "shopacr"
  resource_group_name           = "rg-shop"
  location                      = var.location
  sku                           = "Premium"
  admin_enabled                 = false
  public_network_access_enabled = false
  quarantine_policy_enabled     = true
  tags                          = var.tags

  network_rule_set {
    default_action = "Deny"
  }
}

resource "azurerm_private_endpoint" "acr" {
  name                = "pe-acr"
  location            = var.location
  resource_group_name = "rg-shop"
  subnet_id           = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-shop/providers/Microsoft.Network/virtualNetworks/vnet-shop/subnets/endpoints"

  private_service_connection {
    name                           = "acr"
    private_connection_resource_id = azurerm_container_registry.acr.id
    subresource_names              = ["registry"]
    is_manual_connection           = false
  }
}

resource "azurerm_kubernetes_cluster_extension" "flux" {
  name           = "flux"
  cluster_id     = azurerm_kubernetes_cluster.good.id
  extension_type = "microsoft.flux"
}

resource "azurerm_kubernetes_flux_configuration" "apps" {
  name       = "shop-apps"
  cluster_id = azurerm_kubernetes_cluster.good.id
  namespace  = "flux-system"

  git_repository {
    url             = "https://github.com/contoso/shop-gitops"
    reference_type  = "branch"
    reference_value = "main"
  }

  kustomizations {
    name = "apps"
    path = "./clusters/prod"
  }

  depends_on = [azurerm_kubernetes_cluster_extension.flux]
}

resource "azurerm_kubernetes_cluster_extension" "backup" {
  name              = "azure-aks-backup"
  cluster_id        = azurerm_kubernetes_cluster.good.id
  extension_type    = "microsoft.dataprotection.kubernetes"
  release_train     = "stable"
  release_namespace = "dataprotection-microsoft"
}

resource "azurerm_data_protection_backup_instance_kubernetes_cluster" "aks" {
  name                         = "aks-good-instance"
  location                     = var.location
  vault_id                     = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-backup/providers/Microsoft.DataProtection/backupVaults/bv-shop"
  kubernetes_cluster_id        = azurerm_kubernetes_cluster.good.id
  snapshot_resource_group_name = "rg-backup-snapshots"
  backup_policy_id             = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-backup/providers/Microsoft.DataProtection/backupVaults/bv-shop/backupPolicies/aks-daily"

  backup_datasource_parameters {
    excluded_namespaces              = []
    excluded_resource_types          = []
    cluster_scoped_resources_enabled = true
    included_namespaces              = []
    included_resource_types          = []
    label_selectors                  = []
    volume_snapshot_enabled          = true
  }
}
