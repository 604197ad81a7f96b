param clusterName string = 'aks-broken'
param location string = 'westeurope'

resource aks 'Microsoft.ContainerService/managedClusters@2025-10-01' = {
  name: clusterName
  location: location
  properties: {
    dnsPrefix: clusterName
  }
}

// The next line misses its =.
var tags
