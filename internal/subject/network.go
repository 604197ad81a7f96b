package subject

import "strings"

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

// HasID reports whether id names the subnet: the same ARM ID in any casing, or, when one of
// them is scope-less (a template's resourceId() gives "/providers/Microsoft.Network/..."
// without subscription and resource group), the same provider part.
func (s *Subnet) HasID(id string) bool {
	a, b := strings.ToLower(strings.TrimRight(s.ID, "/")), strings.ToLower(strings.TrimRight(id, "/"))
	if a == "" || b == "" {
		return false
	}
	if a == b {
		return true
	}
	if !strings.HasPrefix(a, "/providers/") && !strings.HasPrefix(b, "/providers/") {
		return false
	}
	pa, pb := providerPart(a), providerPart(b)
	return pa != "" && pa == pb
}

// providerPart is an ARM ID from its last "/providers/" on.
func providerPart(id string) string {
	if i := strings.LastIndex(id, "/providers/"); i >= 0 {
		return id[i:]
	}
	return ""
}
