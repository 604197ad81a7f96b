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

// WAFPolicy is a web application firewall policy of the inputs: an Application Gateway WAF
// policy (Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies,
// azurerm_web_application_firewall_policy) or a Front Door one
// (Microsoft.Network/FrontDoorWebApplicationFirewallPolicies, azurerm_cdn_frontdoor_firewall_policy,
// azurerm_frontdoor_firewall_policy). Its presence in a configuration is the evidence that
// a WAF fronts what the configuration exposes.
type WAFPolicy struct {
	AzureResource
	// Service is "Application Gateway" or "Front Door".
	Service string
	// Mode is Prevention or Detection (a Detection policy only logs).
	Mode String
	// Enabled is the policy's state (policySettings.state, enabledState; Terraform enabled).
	Enabled Bool
}

// Blocks reports whether the policy is known not to be off or in Detection mode: a policy
// that may block.
func (w *WAFPolicy) Blocks() bool {
	return !w.Mode.Is("Detection") && !(w.Enabled.IsKnown() && !w.Enabled.V)
}
