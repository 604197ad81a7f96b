// The shop cluster in Bicep, with its registry as a module. Three settings miss the checklist:
// Kubernetes RBAC off, a managed OS disk on the system pool, the registry admin user on.
@description('The cluster name, also its DNS prefix.')
param clusterName string = 'aks-shop-bicep'
param location string = 'westeurope'
param kubernetesVersion string = '1.36.2'
param workspaceName string = 'log-shop'
param kmsKeyId string = 'https://kv-shop.vault.azure.net/keys/etcd/0123456789abcdef'
param adminGroupObjectIds array = [
  '33333333-3333-3333-3333-333333333333'
]
param privateCluster bool = true
param registryName string = 'shopacr'
param endpointSubnetId string

var tags = {
  env: 'prod'
  owner: 'platform'
}

/* The cluster, with its system pool; the apps pool is a nested resource. */
resource aks 'Microsoft.ContainerService/managedClusters@2025-10-01' = {
  name: clusterName
  location: location
  tags: tags
  sku: {
    name: 'Base'
    tier: 'Standard'
  }
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    kubernetesVersion: kubernetesVersion
    dnsPrefix: clusterName
    supportPlan: 'KubernetesOfficial'
    enableRBAC: false
    disableLocalAccounts: true
    aadProfile: {
      managed: true
      enableAzureRBAC: true
      adminGroupObjectIDs: adminGroupObjectIds
      tenantID: subscription().tenantId
    }
    apiServerAccessProfile: {
      enablePrivateCluster: privateCluster
      enablePrivateClusterPublicFQDN: false
      privateDNSZone: 'system'
    }
    autoUpgradeProfile: {
      upgradeChannel: 'stable'
      nodeOSUpgradeChannel: 'NodeImage'
    }
    securityProfile: {
      defender: {
        logAnalyticsWorkspaceResourceId: resourceId('Microsoft.OperationalInsights/workspaces', workspaceName)
        securityMonitoring: {
          enabled: true
        }
      }
      azureKeyVaultKms: {
        enabled: true
        keyId: kmsKeyId
        keyVaultNetworkAccess: 'Private'
        keyVaultResourceId: resourceId('Microsoft.KeyVault/vaults', 'kv-shop')
      }
      workloadIdentity: {
        enabled: true
      }
      imageCleaner: {
        enabled: true
        intervalHours: 48
      }
    }
    oidcIssuerProfile: {
      enabled: true
      issuerURL: 'https://westeurope.oic.prod-aks.azure.com/22222222/44444444/'
    }
    addonProfiles: {
      azurepolicy: {
        enabled: true
        config: null
      }
      omsagent: {
        enabled: true
        config: {
          logAnalyticsWorkspaceResourceID: resourceId('Microsoft.OperationalInsights/workspaces', workspaceName)
          useAADAuth: 'true'
        }
      }
      azureKeyvaultSecretsProvider: {
        enabled: true
        config: {
          enableSecretRotation: 'true'
          rotationPollInterval: '2m'
        }
      }
    }
    networkProfile: {
      networkPlugin: 'azure'
      networkPluginMode: 'overlay'
      networkPolicy: 'cilium'
      networkDataplane: 'cilium'
      outboundType: 'userDefinedRouting'
      loadBalancerSku: 'standard'
      podCidr: '10.244.0.0/16'
      serviceCidr: '10.0.0.0/16'
      dnsServiceIP: '10.0.0.10'
    }
    azureMonitorProfile: {
      metrics: {
        enabled: true
        kubeStateMetrics: {
          metricLabelsAllowlist: ''
          metricAnnotationsAllowList: ''
        }
      }
    }
    diskEncryptionSetID: resourceId('Microsoft.Compute/diskEncryptionSets', 'des-shop')
    autoScalerProfile: {
      'scan-interval': '10s'
      expander: 'random'
    }
    agentPoolProfiles: [
      {
        name: 'system'
        mode: 'System'
        type: 'VirtualMachineScaleSets'
        osType: 'Linux'
        osSKU: 'AzureLinux'
        vmSize: 'Standard_D4s_v5'
        count: 3
        minCount: 3
        maxCount: 6
        enableAutoScaling: true
        availabilityZones: [
          '1'
          '2'
          '3'
        ]
        maxPods: 50
        enableNodePublicIP: false
        enableFIPS: true
        enableEncryptionAtHost: true
        osDiskType: 'Managed'
        osDiskSizeGB: 128
        upgradeSettings: {
          maxSurge: '33%'
          drainTimeoutInMinutes: 30
        }
        orchestratorVersion: kubernetesVersion
        tags: tags
        nodeTaints: [
          'CriticalAddonsOnly=true:NoSchedule'
        ]
      }
    ]
  }

  resource appsPool 'agentPools' = {
    name: 'apps'
    properties: {
      mode: 'User'
      type: 'VirtualMachineScaleSets'
      osType: 'Linux'
      osSKU: 'AzureLinux'
      vmSize: 'Standard_D4s_v5'
      count: 3
      minCount: 3
      maxCount: 10
      enableAutoScaling: true
      availabilityZones: [
        '1'
        '2'
        '3'
      ]
      maxPods: 50
      enableNodePublicIP: false
      enableFIPS: true
      enableEncryptionAtHost: true
      osDiskType: 'Ephemeral'
      osDiskSizeGB: 128
      upgradeSettings: {
        maxSurge: '33%'
        drainTimeoutInMinutes: 30
      }
      orchestratorVersion: kubernetesVersion
      tags: tags
    }
  }
}

// Planned maintenance: Kubernetes upgrades on Sundays, node images on Saturdays.
resource upgradeWindow 'Microsoft.ContainerService/managedClusters/maintenanceConfigurations@2025-10-01' = {
  parent: aks
  name: 'aksManagedAutoUpgradeSchedule'
  properties: {
    maintenanceWindow: {
      schedule: {
        weekly: {
          intervalWeeks: 1
          dayOfWeek: 'Sunday'
        }
      }
      durationHours: 4
      utcOffset: '+01:00'
      startTime: '01:00'
    }
  }
}

resource nodeOSWindow 'Microsoft.ContainerService/managedClusters/maintenanceConfigurations@2025-10-01' = {
  parent: aks
  name: 'aksManagedNodeOSUpgradeSchedule'
  properties: {
    maintenanceWindow: {
      schedule: {
        weekly: {
          intervalWeeks: 1
          dayOfWeek: 'Saturday'
        }
      }
      durationHours: 4
      utcOffset: '+01:00'
      startTime: '01:00'
    }
  }
}

resource controlPlaneLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'aks-control-plane'
  scope: aks
  properties: {
    workspaceId: resourceId('Microsoft.OperationalInsights/workspaces', workspaceName)
    logs: [
      {
        category: 'kube-apiserver'
        enabled: true
      }
      {
        category: 'kube-audit-admin'
        enabled: true
      }
      {
        category: 'kube-controller-manager'
        enabled: true
      }
      {
        category: 'kube-scheduler'
        enabled: true
      }
      {
        category: 'cluster-autoscaler'
        enabled: true
      }
      {
        category: 'guard'
        enabled: true
      }
    ]
  }
}

resource flux 'Microsoft.KubernetesConfiguration/extensions@2023-05-01' = {
  name: 'flux'
  scope: aks
  properties: {
    extensionType: 'microsoft.flux'
    autoUpgradeMinorVersion: true
    releaseTrain: 'Stable'
    scope: {
      cluster: {
        releaseNamespace: 'flux-system'
      }
    }
  }
}

resource shopApps 'Microsoft.KubernetesConfiguration/fluxConfigurations@2023-05-01' = {
  name: 'shop-apps'
  scope: aks
  properties: {
    scope: 'cluster'
    namespace: 'flux-system'
    sourceKind: 'GitRepository'
    suspend: false
    gitRepository: {
      url: 'https://github.com/contoso/shop-gitops'
      repositoryRef: {
        branch: 'main'
      }
      syncIntervalInSeconds: 300
    }
    kustomizations: {
      apps: {
        path: './clusters/prod'
        prune: true
      }
    }
  }
  dependsOn: [
    flux
  ]
}

resource backupExtension 'Microsoft.KubernetesConfiguration/extensions@2023-05-01' = {
  name: 'azure-aks-backup'
  scope: aks
  properties: {
    extensionType: 'microsoft.dataprotection.kubernetes'
    autoUpgradeMinorVersion: true
    releaseTrain: 'stable'
    scope: {
      cluster: {
        releaseNamespace: 'dataprotection-microsoft'
      }
    }
    configurationSettings: {
      'configuration.backupStorageLocation.bucket': 'aks-backup'
      'configuration.backupStorageLocation.config.resourceGroup': 'rg-backup'
      'configuration.backupStorageLocation.config.storageAccount': 'stshopbackup'
    }
  }
}

resource backupVault 'Microsoft.DataProtection/backupVaults@2024-04-01' existing = {
  name: 'bv-shop'
}

resource backupInstance 'Microsoft.DataProtection/backupVaults/backupInstances@2024-04-01' = {
  parent: backupVault
  name: 'aks-shop-bicep-instance'
  properties: {
    friendlyName: 'aks-shop-bicep'
    objectType: 'BackupInstance'
    dataSourceInfo: {
      objectType: 'Datasource'
      resourceID: aks.id
      resourceName: aks.name
      resourceType: 'Microsoft.ContainerService/managedClusters'
      datasourceType: 'Microsoft.ContainerService/managedClusters'
      resourceLocation: location
    }
    policyInfo: {
      policyId: '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-backup/providers/Microsoft.DataProtection/backupVaults/bv-shop/backupPolicies/aks-daily'
    }
  }
  dependsOn: [
    backupExtension
  ]
}

resource containersPlan 'Microsoft.Security/pricings@2024-01-01' = {
  name: 'Containers'
  properties: {
    pricingTier: 'Standard'
  }
}

module registry 'modules/registry.bicep' = {
  name: 'registry'
  params: {
    name: registryName
    location: location
    tags: tags
  }
}
