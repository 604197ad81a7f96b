resource "azurerm_kubernetes_cluster_node_pool" "apps" {
  proximity_placement_group_id = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-shop/providers/Microsoft.Compute/proximityPlacementGroups/ppg-low-latency"
  zones                        = ["1"]
}
