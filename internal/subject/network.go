package subject

// Subnet is a virtual network's subnet (az network vnet subnet show, its REST form, a
// template resource): the addresses node pools take their nodes' (and, with Azure CNI
// without overlay, their pods') addresses from.
type Subnet struct {
	AzureResource
	// AddressPrefixes are its CIDRs (addressPrefix, addressPrefixes).
	AddressPrefixes List
	// IPConfigurations counts the addresses in use (ipConfigurations); absent when the input
	// does not list them.
	IPConfigurations Int
}
